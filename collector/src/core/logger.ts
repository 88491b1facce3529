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

/**
 * An error as the `err` field of a log line: an Error, so pino's serializer writes its type,
 * message, code and stack — with the message cut to `maxChars` (a remote's answer, InfluxDB's or
 * a driver's, can be long).
 */
export function logError(err: unknown, maxChars = 300): Error {
  const error = err instanceof Error ? err : new Error(String(err));
  if (error.message.length <= maxChars) return error;
  // Same prototype (the log's `type` is the error's class), the message cut, the frames kept.
  const message = `${error.message.slice(0, maxChars)}…`;
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const short: Error = Object.create(Object.getPrototypeOf(error));
  Object.assign(short, { message, name: error.name, stack: [`${error.name}: ${message}`, ...frames].join('\n'), code: (error as { code?: unknown }).code });
  return short;
}
