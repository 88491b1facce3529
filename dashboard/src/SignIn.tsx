/** Sign in with an instructor account; says what to do when no account exists yet. */
import { useState } from 'preact/hooks';
import type { InstructorView } from '@cell-monitor/shared';
import { client } from './api/client.ts';
import { messageOf } from './api/apiError.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import { useT } from './LanguageContext.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

interface Props {
  ended: boolean;
  onSignedIn: (instructor: InstructorView, token: string) => void;
}

export function SignIn({ ended, onSignedIn }: Props) {
  const t = useT();
  const { data: setup } = useSnapshot('setup', client.auth.setup);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const answer = await client.auth.login(String(form.get('email') ?? ''), String(form.get('password') ?? ''));
      onSignedIn(answer.instructor, answer.token);
    } catch (err) {
      setError(messageOf(err, t('error.generic')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="signin-box" onSubmit={submit}>
        <div class="signin-top">
          <h1>{t('signin.title')}</h1>
          <LanguageSwitch />
        </div>
        {ended && <p class="notice" role="status">{t('signin.ended')}</p>}
        {setup && !setup.accounts && (
          <div class="notice">
            <p>{t('signin.noAccount')}</p>
            <pre>npm run cli -- create-instructor --email you@school.example --name "Your Name" --role admin</pre>
          </div>
        )}
        {setup?.demo && (
          <div class="notice demo-signin" role="note">
            <p>{t('signin.demo')}</p>
            <p>
              <code data-demo-email>{setup.demo.email}</code> / <code data-demo-password>{setup.demo.password}</code>
            </p>
          </div>
        )}
        {setup && !setup.signIn && <p class="notice">{t('signin.noSignIn')}</p>}
        <label>
          {t('signin.email')}
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          {t('signin.password')}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>
          {t('signin.submit')}
        </button>
      </form>
    </main>
  );
}
