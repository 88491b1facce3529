/**
 * The instructor's session in this tab: the token lives in sessionStorage (so it lasts as long as the
 * tab) and travels in the Authorization header or the socket's subprotocol, never in a URL. When the
 * collector says the session is over (a 401, a revoked or expired token on the socket), `end()` calls
 * the one listener the page registered, which sends it back to sign-in.
 */
const TOKEN_KEY = 'cell-monitor:dashboard-token';

let onSessionEnded: () => void = () => undefined;

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  keep: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
  /** Forget the token and tell the page. */
  end: () => {
    sessionStorage.removeItem(TOKEN_KEY);
    onSessionEnded();
  },
};

export function whenSessionEnds(callback: () => void): void {
  onSessionEnded = callback;
}
