/** Sign in with an instructor account; says what to do when no account exists yet. */
import { useEffect, useState } from 'preact/hooks';
import type { AuthSetup, InstructorView } from '@cell-monitor/shared';
import { api, ApiError } from './api.ts';
import type { Language, Translate } from './i18n.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';

interface Props {
  t: Translate;
  language: Language;
  onLanguage: (language: Language) => void;
  ended: boolean;
  onSignedIn: (instructor: InstructorView, token: string) => void;
}

export function SignIn({ t, language, onLanguage, ended, onSignedIn }: Props) {
  const [setup, setSetup] = useState<AuthSetup | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<AuthSetup>('GET', '/api/v1/auth/setup').then(setSetup, () => undefined);
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const answer = await api<{ instructor: InstructorView; token: string }>('POST', '/api/v1/auth/login', { email: form.get('email'), password: form.get('password') });
      onSignedIn(answer.instructor, answer.token);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('error.generic'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="signin-box" onSubmit={submit}>
        <div class="signin-top">
          <h1>{t('signin.title')}</h1>
          <LanguageSwitch language={language} onLanguage={onLanguage} />
        </div>
        {ended && <p class="notice" role="status">{t('signin.ended')}</p>}
        {setup && !setup.accounts && (
          <div class="notice">
            <p>{t('signin.noAccount')}</p>
            <pre>npm run cli -- create-instructor --email you@school.example --name "Your Name" --role admin</pre>
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
