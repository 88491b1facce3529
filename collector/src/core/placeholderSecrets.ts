/**
 * Secrets still at a placeholder are refused at start (config.ts): `.env.example`'s "change-me…"
 * values, the usual stand-ins ("secret", "changeme", "password"…) and a password of that kind inside
 * DATABASE_URL or REDIS_URL. A deployment started from the example file would otherwise sign admin
 * tokens and derive student credentials with a value anyone can read on GitHub. Only the variable's
 * name is reported, never its value.
 */

/** Variables that hold a secret, and URL variables whose password is one. */
const SECRET_VARIABLES = ['INGEST_KEY', 'JWT_SECRET', 'METRICS_TOKEN', 'INFLUXDB_TOKEN'] as const;
const URL_VARIABLES = ['DATABASE_URL', 'REDIS_URL'] as const;

/** Whole values that are stand-ins, compared without case and ignoring - _ and spaces. */
const STAND_INS = new Set(['secret', 'changeme', 'change', 'password', 'passwd', 'pass', 'admin', 'test', 'example', 'default', 'token', 'key', 'redis', 'postgres', 'cellmonitor', 'replaceme', 'todo', 'xxx', '123456', '12345678', 'qwerty', 'letmein', 'mysecret', 'supersecret', 'jwtsecret', 'yoursecret', 'secretkey']);
/** Parts that mark a value as a placeholder wherever they appear. */
const PLACEHOLDER = /change[-_ ]?me|replace[-_ ]?me|your[-_ ]?(secret|password|token|key)|<generated|xxxxxxxx|yyyyyyyy|put[-_ ]?(a|your)[-_ ]?/i;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || STAND_INS.has(value.toLowerCase().replace(/[-_\s]/g, ''));
}

function urlPassword(value: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(value).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}

/** One problem per variable whose secret is a placeholder (for ConfigError). */
export function placeholderProblems(env: { [name: string]: unknown }): string[] {
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (typeof value === 'string' && isPlaceholder(value)) problems.push(`${name} is a placeholder or example value: set a secret of your own (openssl rand -hex 32)`);
  }
  for (const name of URL_VARIABLES) {
    const value = env[name];
    const password = typeof value === 'string' ? urlPassword(value) : undefined;
    if (password && isPlaceholder(password)) problems.push(`${name} holds a placeholder or example password: set the real one (openssl rand -hex 32)`);
  }
  return problems;
}
