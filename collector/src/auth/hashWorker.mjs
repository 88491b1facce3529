// The bcrypt work, in a worker thread (piscina): a hash costs ~0.1-0.2 s of CPU, which on the
// HTTP thread stalled every other request (/healthz took 5.4 s under 30 parallel logins).
import bcrypt from 'bcryptjs';

export function hash({ password, cost }) {
  return bcrypt.hashSync(password, cost);
}

export function compare({ password, hash }) {
  return bcrypt.compareSync(password, hash);
}
