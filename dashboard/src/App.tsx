/**
 * Signed out: the sign-in page. Signed in: the dashboard. A 401 from the API or a revoked/expired
 * socket ends the session (api/session.ts) with a message on the sign-in page. The language is a
 * context around both (LanguageContext.tsx).
 */
import { useEffect, useState } from 'preact/hooks';
import type { InstructorView } from '@cell-monitor/shared';
import { client } from './api/client.ts';
import { session, whenSessionEnds } from './api/session.ts';
import { Dashboard } from './Dashboard.tsx';
import { LanguageProvider } from './LanguageContext.tsx';
import { SignIn } from './SignIn.tsx';

export function App() {
  const [me, setMe] = useState<InstructorView | null>(null);
  const [ended, setEnded] = useState(false);

  useEffect(() => {
    whenSessionEnds(() => {
      session.forget();
      setMe(null);
      setEnded(true);
    });
    if (session.token()) client.auth.me().then(setMe, () => undefined);
  }, []);

  return (
    <LanguageProvider>
      {me ? (
        <Dashboard
          me={me}
          onSignOut={async () => {
            await client.auth.logout().catch(() => undefined);
            session.forget();
            setMe(null);
          }}
        />
      ) : (
        <SignIn
          ended={ended}
          onSignedIn={(instructor, token) => {
            session.keep(token);
            setEnded(false);
            setMe(instructor);
          }}
        />
      )}
    </LanguageProvider>
  );
}
