import path from 'node:path';
import os from 'node:os';
import * as yup from 'yup';
import { placeholderProblems } from './placeholderSecrets.ts';

/** Every environment variable the collector reads, with its default. The README's table mirrors it. */
const envSchema = yup.object({
  HOST: yup.string().default('127.0.0.1'),
  PORT: yup.number().typeError('PORT must be a number').integer().min(0).max(65535).default(8765),
  DATA_DIR: yup.string().min(1).default('./data'),
  DATABASE_URL: yup
    .string()
    .matches(/^(postgres(ql)?|sqlite):\/\//, 'DATABASE_URL must start with postgres://, postgresql:// or sqlite://')
    .optional(),
  REDIS_URL: yup.string().matches(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://').optional(),
  INGEST_KEY: yup.string().min(16, 'INGEST_KEY must be at least 16 characters').optional(),
  EXPORT_PSEUDONYM_KEY: yup.string().min(32, 'EXPORT_PSEUDONYM_KEY must be at least 32 characters').optional(),
  INGEST_MAX_BYTES: yup.number().typeError('INGEST_MAX_BYTES must be a number').integer().min(1024).default(5 * 1024 * 1024),
  OUTPUT_MAX_CHARS: yup.number().typeError('OUTPUT_MAX_CHARS must be a number').integer().min(0).default(64 * 1024),
  BUFFER_SYNC: yup.string().oneOf(['full', 'normal'], 'BUFFER_SYNC must be full or normal').default('full'),
  BUFFER_MAX_MB: yup.number().typeError('BUFFER_MAX_MB must be a number').min(0).default(2048),
  BUFFER_RETENTION_HOURS: yup.number().typeError('BUFFER_RETENTION_HOURS must be a number').min(0).default(24),
  COLLECTOR_ID: yup.string().matches(/^[A-Za-z0-9_.:-]{1,64}$/, 'COLLECTOR_ID must be 1-64 of A-Z a-z 0-9 _ . : -').optional(),
  STREAM_CLAIM_IDLE_MS: yup.number().typeError('STREAM_CLAIM_IDLE_MS must be a number').integer().min(100).default(60_000),
  JWT_SECRET: yup.string().min(32, 'JWT_SECRET must be at least 32 characters (openssl rand -hex 32)').optional(),
  METRICS_TOKEN: yup.string().min(32, 'METRICS_TOKEN must be at least 32 characters (openssl rand -hex 32)').optional(),
  JWT_TTL_MINUTES: yup.number().typeError('JWT_TTL_MINUTES must be a number').integer().min(1).max(7 * 24 * 60).default(8 * 60),
  DEV_OPEN_WS: yup.string().oneOf(['0', '1'], 'DEV_OPEN_WS must be 0 or 1').default('0'),
  ALLOWED_HOSTS: yup
    .string()
    .matches(/^(\*|[A-Za-z0-9.:[\]_-]+(\s*,\s*[A-Za-z0-9.:[\]_-]+)*)$/, 'ALLOWED_HOSTS must be * or a comma-separated list of host names')
    .optional(),
  TRUSTED_PROXY_HOPS: yup.number().typeError('TRUSTED_PROXY_HOPS must be a number').integer().min(0).max(10).default(0),
  WS_MAX_CLIENTS: yup.number().typeError('WS_MAX_CLIENTS must be a number').integer().min(1).default(1000),
  WS_MAX_PER_ADDRESS: yup.number().typeError('WS_MAX_PER_ADDRESS must be a number').integer().min(1).default(20),
  WS_HEARTBEAT_SECONDS: yup.number().typeError('WS_HEARTBEAT_SECONDS must be a number').integer().min(1).max(3600).default(30),
  INGEST_RATE_LIMIT: yup.number().typeError('INGEST_RATE_LIMIT must be a number').integer().min(0).default(6000),
  INGEST_BYTES_PER_MINUTE: yup.number().typeError('INGEST_BYTES_PER_MINUTE must be a number').integer().min(0).default(16 * 1024 * 1024),
  SUBMISSION_MAX_BYTES: yup.number().typeError('SUBMISSION_MAX_BYTES must be a number').integer().min(1024).max(64 * 1024 * 1024).default(6 * 1024 * 1024),
  SUBMISSIONS_KEPT: yup.number().typeError('SUBMISSIONS_KEPT must be a number').integer().min(1).max(1000).default(10),
  RETENTION_DAYS: yup.number().typeError('RETENTION_DAYS must be a number').integer('RETENTION_DAYS must be a whole number of days').min(0).max(36500).default(0),
  RETENTION_SWEEP_MINUTES: yup.number().typeError('RETENTION_SWEEP_MINUTES must be a number').min(0.05, 'RETENTION_SWEEP_MINUTES must be at least 0.05').max(7 * 24 * 60).default(60),
  LEGACY_V1_CLIENTS: yup.string().oneOf(['0', '1'], 'LEGACY_V1_CLIENTS must be 0 or 1').default('0'),
  LEGACY_CORS_ORIGINS: yup
    .string()
    .test('origins', 'LEGACY_CORS_ORIGINS must be a comma-separated list of origins like http://localhost:8888 (no *, no path)', (v) => v === undefined || originList(v) !== undefined)
    .optional(),
  LEGACY_CLASS_CODE: yup.string().trim().max(64, 'LEGACY_CLASS_CODE must be at most 64 characters').optional(),
  LEGACY_ADDRESS_RATE_LIMIT: yup.number().typeError('LEGACY_ADDRESS_RATE_LIMIT must be a number').integer().min(0).default(6000),
  INFLUXDB_URL: yup.string().matches(/^https?:\/\//, 'INFLUXDB_URL must start with http:// or https://').optional(),
  INFLUXDB_TOKEN: yup.string().optional(),
  INFLUXDB_ORG: yup.string().optional(),
  INFLUXDB_BUCKET: yup.string().optional(),
  LOG_LEVEL: yup
    .string()
    .oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'LOG_LEVEL must be a pino level')
    .default('info'),
  LOG_FORMAT: yup.string().oneOf(['json', 'pretty'], 'LOG_FORMAT must be json or pretty').optional(),
});

export type PipelineMode = { kind: 'embedded' } | { kind: 'redis'; redisUrl: string };

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Main store: postgres URL, or an SQLite file under DATA_DIR when unset. */
  databaseUrl: string;
  /**
   * Decided here, once: `embedded` (no REDIS_URL) — the buffer is the stream and live channels are
   * in-process; `redis` — forward to a Redis Stream, live channels over Redis Pub/Sub.
   */
  mode: PipelineMode;
  ingestKey?: string;
  /**
   * The key of the research exports' pseudonyms (research/pseudonyms.ts): set, a student has the same
   * pseudonym in every export; unset, each export draws its own key and pseudonyms do not link across exports.
   */
  exportPseudonymKey?: string;
  ingestMaxBytes: number;
  outputMaxChars: number;
  bufferSync: 'full' | 'normal';
  bufferRetentionHours: number;
  /** Cap on the buffer file; past it ingest answers 503. 0 = only the disk limits it. */
  bufferMaxBytes: number;
  /** Stable per data directory so a restarted collector reclaims its own pending stream entries. */
  collectorId: string;
  /** Stream entries another collector left unacked this long are taken over. */
  streamClaimIdleMs: number;
  /** Signs instructor tokens (HS256). Required once an instructor account exists. */
  jwtSecret?: string;
  jwtTtlMinutes: number;
  /** Bearer token a scraper may use for GET /metrics (an admin's token works too). */
  metricsToken?: string;
  devOpenWs: boolean;
  /** Host header names (no port) this collector answers to; '*' = any. Guards against DNS rebinding. */
  allowedHosts: '*' | string[];
  /** Reverse proxies in front of the collector whose X-Forwarded-For is believed (0 = none). */
  trustedProxyHops: number;
  wsMaxClients: number;
  wsMaxPerAddress: number;
  wsHeartbeatSeconds: number;
  /** Events per student per minute (per collector process); 0 = no limit. */
  ingestRateLimit: number;
  /** Serialised event bytes per student per minute (0 = no limit); raised to 2 × INGEST_MAX_BYTES if lower. */
  ingestBytesPerMinute: number;
  submissionMaxBytes: number;
  /** Submissions kept per student and assignment (the oldest ungraded ones give way). */
  submissionsKept: number;
  /**
   * Events, derived rows and stored notebooks older than this many days are deleted (privacy/retention.ts);
   * 0 = kept forever. A class's `retention_days` overrides it for that class's students.
   */
  retentionDays: number;
  /** How often the retention sweep runs (minutes; one collector at a time in Redis mode). */
  retentionSweepMinutes: number;
  /** Clients of the original extension (v1.x) posting from the browser, without a companion. */
  legacy: LegacyConfig;
  /** INFLUXDB_URL/TOKEN/ORG/BUCKET (all four or none): persisted executions also go to InfluxDB (sink/influxSink.ts). */
  influx?: InfluxConfig;
  logLevel: string;
  /**
   * LOG_FORMAT: `json` (one JSON object per line, for journald and log shippers) or `pretty`
   * (readable lines, core/logger.ts); unset, pretty when stdout is a terminal, JSON otherwise.
   */
  logFormat: 'json' | 'pretty';
  /** Pretty lines in colour: only on a terminal, and not with NO_COLOR set. */
  logColour: boolean;
}

export interface InfluxConfig {
  url: string;
  /** Never logged (the logger redacts influx.token). */
  token: string;
  org: string;
  bucket: string;
}

export interface LegacyConfig {
  /** LEGACY_V1_CLIENTS=1: v1 bodies without companion headers are accepted (identity self-reported). */
  enabled: boolean;
  /** Origins (scheme://host[:port]) of the JupyterLab pages allowed to post from the browser (CORS). */
  corsOrigins: string[];
  /** The class v1 students are enrolled in automatically, their teamName becoming its team (it must exist at start). */
  classCode?: string;
  /** v1 events per remote address per minute, all the identities it reports together (0 = no limit). */
  addressRateLimit: number;
}

/** What the collector answers to when ALLOWED_HOSTS is unset and there is no INGEST_KEY. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once, reporting every problem at the same time. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, stdoutIsTTY = Boolean(process.stdout.isTTY)): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  let raw: yup.InferType<typeof envSchema>;
  try {
    raw = envSchema.validateSync(present, { abortEarly: false, stripUnknown: true });
  } catch (err) {
    if (err instanceof yup.ValidationError) throw new ConfigError(err.errors);
    throw err;
  }
  const placeholders = placeholderProblems(raw);
  if (placeholders.length > 0) throw new ConfigError(placeholders);
  const loopbackHost = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/.test(raw.HOST);
  if (raw.DEV_OPEN_WS === '1' && !loopbackHost) {
    throw new ConfigError(['DEV_OPEN_WS=1 opens the live event stream to anyone: it is refused unless HOST is a loopback address']);
  }
  const influxVars = ['INFLUXDB_URL', 'INFLUXDB_TOKEN', 'INFLUXDB_ORG', 'INFLUXDB_BUCKET'] as const;
  const influxSet = influxVars.filter((name) => raw[name] !== undefined);
  if (influxSet.length > 0 && influxSet.length < influxVars.length) {
    throw new ConfigError([`the InfluxDB sink needs all four of ${influxVars.join(', ')}, or none: ${influxVars.filter((n) => !influxSet.includes(n)).join(', ')} unset`]);
  }
  const dataDir = path.resolve(raw.DATA_DIR);
  const databaseUrl = raw.DATABASE_URL ?? `sqlite://${path.join(dataDir, 'cell-monitor.sqlite')}`;
  const collectorId = raw.COLLECTOR_ID ?? `${os.hostname()}-${shortHash(dataDir)}`;
  return {
    host: raw.HOST,
    port: raw.PORT,
    dataDir,
    databaseUrl,
    mode: raw.REDIS_URL ? { kind: 'redis', redisUrl: raw.REDIS_URL } : { kind: 'embedded' },
    ingestKey: raw.INGEST_KEY,
    exportPseudonymKey: raw.EXPORT_PSEUDONYM_KEY,
    ingestMaxBytes: raw.INGEST_MAX_BYTES,
    outputMaxChars: raw.OUTPUT_MAX_CHARS,
    bufferSync: raw.BUFFER_SYNC as Config['bufferSync'],
    bufferRetentionHours: raw.BUFFER_RETENTION_HOURS,
    bufferMaxBytes: Math.floor(raw.BUFFER_MAX_MB * 1024 * 1024),
    collectorId,
    streamClaimIdleMs: raw.STREAM_CLAIM_IDLE_MS,
    jwtSecret: raw.JWT_SECRET,
    jwtTtlMinutes: raw.JWT_TTL_MINUTES,
    metricsToken: raw.METRICS_TOKEN,
    devOpenWs: raw.DEV_OPEN_WS === '1',
    allowedHosts: hostList(raw.ALLOWED_HOSTS, raw.INGEST_KEY !== undefined),
    trustedProxyHops: raw.TRUSTED_PROXY_HOPS,
    wsMaxClients: raw.WS_MAX_CLIENTS,
    wsMaxPerAddress: raw.WS_MAX_PER_ADDRESS,
    wsHeartbeatSeconds: raw.WS_HEARTBEAT_SECONDS,
    ingestRateLimit: raw.INGEST_RATE_LIMIT,
    ingestBytesPerMinute: raw.INGEST_BYTES_PER_MINUTE,
    submissionMaxBytes: raw.SUBMISSION_MAX_BYTES,
    submissionsKept: raw.SUBMISSIONS_KEPT,
    retentionDays: raw.RETENTION_DAYS,
    retentionSweepMinutes: raw.RETENTION_SWEEP_MINUTES,
    legacy: { enabled: raw.LEGACY_V1_CLIENTS === '1', corsOrigins: originList(raw.LEGACY_CORS_ORIGINS ?? '') ?? [], classCode: raw.LEGACY_CLASS_CODE || undefined, addressRateLimit: raw.LEGACY_ADDRESS_RATE_LIMIT },
    influx: raw.INFLUXDB_URL ? { url: raw.INFLUXDB_URL, token: raw.INFLUXDB_TOKEN!, org: raw.INFLUXDB_ORG!, bucket: raw.INFLUXDB_BUCKET! } : undefined,
    logLevel: raw.LOG_LEVEL,
    logFormat: (raw.LOG_FORMAT as Config['logFormat'] | undefined) ?? (stdoutIsTTY ? 'pretty' : 'json'),
    logColour: stdoutIsTTY && (raw.LOG_FORMAT ?? 'pretty') === 'pretty' && !env.NO_COLOR,
  };
}

function hostList(value: string | undefined, haveKey: boolean): Config['allowedHosts'] {
  if (value === undefined) return haveKey ? '*' : LOOPBACK_HOSTS;
  if (value.trim() === '*') return '*';
  return value.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
}

/** `http://localhost:8888, https://hub.example.org/` → the origins as browsers send them; undefined if one is not an origin. */
function originList(value: string): string[] | undefined {
  const origins: string[] = [];
  for (const item of value.split(',').map((o) => o.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      return undefined;
    }
    if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username || url.password) return undefined;
    origins.push(url.origin); // lower-cased host, default port dropped: as the Origin header has it
  }
  return origins;
}

function shortHash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
