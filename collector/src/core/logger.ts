import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { PrettyOptions } from 'pino-pretty';

export type { Logger };

export interface LogOutput {
  /** `json` (the default: services, journald, log shippers) or `pretty` (a person at a terminal). */
  logFormat?: 'json' | 'pretty';
  /** Pretty lines in colour. */
  logColour?: boolean;
}

/**
 * Readable lines for a person (LOG_FORMAT=pretty, the default on a terminal): pino-pretty as the
 * logger's stream, in this thread and synchronous (a line is on the screen before process.exit).
 * Loaded only then: a service writing JSON never loads it.
 */
function prettyStream(colour: boolean): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: PrettyOptions) => DestinationStream;
  return pretty({
    colorize: colour,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service',
    // The migrations a new store gets are 46 names: their count on a terminal, every name in JSON.
    customPrettifiers: { applied: (names) => (Array.isArray(names) ? `${names.length} (${names[0]} … ${names[names.length - 1]})` : String(names)) },
  });
}

/**
 * The one structured logger (JSON lines on stdout, or readable lines: LogOutput). Child loggers
 * carry a `module` field. Never log cell source or outputs: only ids, counts and sizes. Secrets are
 * redacted by path.
 */
export function createLogger(level = 'info', output: LogOutput = {}): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'cell-monitor-collector' },
    redact: {
      paths: ['ingestKey', 'config.ingestKey', 'jwtSecret', 'config.jwtSecret', 'password', '*.password', 'password_hash', '*.password_hash', 'token', '*.token', 'req.headers.authorization', 'headers.authorization', 'databaseUrl', 'redisUrl', 'mode.redisUrl', 'config.databaseUrl', 'config.mode.redisUrl', 'influx.token', 'config.influx.token'],
      censor: '[redacted]',
    },
  };
  return output.logFormat === 'pretty' ? pino(options, prettyStream(output.logColour ?? false)) : pino(options);
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
