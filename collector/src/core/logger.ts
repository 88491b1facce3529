import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The one structured logger (JSON lines on stdout). Child loggers carry a `module` field.
 * Never log cell source or outputs: only ids, counts and sizes. Secrets are redacted by path.
 */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { service: 'cell-monitor-collector' },
    redact: {
      paths: ['ingestKey', 'config.ingestKey', 'jwtSecret', 'config.jwtSecret', 'password', '*.password', 'password_hash', '*.password_hash', 'token', '*.token', 'req.headers.authorization', 'headers.authorization', 'databaseUrl', 'redisUrl', 'mode.redisUrl', 'config.databaseUrl', 'config.mode.redisUrl', 'influx.token', 'config.influx.token'],
      censor: '[redacted]',
    },
  });
}
