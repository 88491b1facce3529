/**
 * Signed out: the sign-in page. Signed in: the dashboard. A 401 from the API or a revoked/expired
 * socket ends the session with a message on the sign-in page.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { InstructorView } from '@cell-monitor/shared';
import { api, session, whenSessionEnds } from './api.ts';
import { Dashboard } from './Dashboard.tsx';
import { initialLanguage, keepLanguage, translator, type Language } from './i18n.ts';
import { SignIn } from './SignIn.tsx';

export function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [me, setMe] = useState<InstructorView | null>(null);
  const [ended, setEnded] = useState(false);
  const t = useMemo(() => translator(language), [language]);

  const endSession = () => {
    session.forget();
    setMe(null);
    setEnded(true);
  };
  useEffect(() => {
    whenSessionEnds(endSession);
    if (session.token()) api<InstructorView>('GET', '/api/v1/auth/me').then(setMe, () => undefined);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
    keepLanguage(language);
  }, [language]);

  if (!me) {
    return (
      <SignIn
        t={t}
        language={language}
        onLanguage={setLanguage}
        ended={ended}
        onSignedIn={(instructor, token) => {
          session.keep(token);
          setEnded(false);
          setMe(instructor);
        }}
      />
    );
  }
  return (
    <Dashboard
      t={t}
      me={me}
      language={language}
      onLanguage={setLanguage}
      onSignOut={async () => {
        await api('POST', '/api/v1/auth/logout').catch(() => undefined);
        session.forget();
        setMe(null);
      }}
      onSessionEnded={endSession}
    />
  );
}
