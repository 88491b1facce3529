/**
 * Every HTTP route is declared once, with who may call it; the router, the OpenAPI document and
 * the auth-matrix test are all built from this table, so they cannot drift apart.
 */
import type Router from '@koa/router';
import parse from 'co-body';
import type { Next, ParameterizedContext } from 'koa';
import * as yup from 'yup';
import { exceedsDepth, makeTextStorable, storableText } from '@cell-monitor/shared';
import type { Authenticated, Authenticator } from '../auth/tokens.ts';
import { authenticateCompanion, type CompanionIdentity } from '../ingest/companionAuth.ts';
import { errors, HttpError } from './errors.ts';

/**
 * public: anyone; ingest: a Jupyter companion — the credential of the user it stamps when INGEST_KEY
 * is set, else any sender on this machine (loopback); student: a companion with INGEST_KEY set, the
 * credential matching the stamped user (always refused without a key); instructor: any valid
 * instructor token; admin: an admin's token.
 */
export type Access = 'public' | 'ingest' | 'student' | 'instructor' | 'admin';
export type Method = 'get' | 'post' | 'put' | 'delete';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ctx = ParameterizedContext<any, any, any>;
export type Handler = (ctx: Ctx, next: Next) => unknown;

/** Where a scoped route finds the id of the resource it acts on. */
export type IdFrom = { param: string } | { body: string };

/**
 * Which classes' data a route touches, for instructors who are not admins (lms/classAccess.ts):
 * a class (`role: 'owner'` for what only its owners may do), an assignment's or a submission's
 * class, a student enrolled in one of the caller's classes, or `own_classes` for lists that are
 * filtered to the caller's classes.
 */
export type Scope =
  | { class: IdFrom; role?: 'owner' }
  | { assignment: IdFrom }
  | { submission: IdFrom }
  | { student: IdFrom }
  | 'own_classes';

export interface RouteSpec {
  method: Method;
  /** Koa router syntax: `/api/v1/instructors/:id`. */
  path: string;
  access: Access;
  summary: string;
  tag: string;
  /** Statuses this route answers besides the auth ones, for the OpenAPI document. */
  responses: Record<number, string>;
  /** Request body schema (documentation; handlers validate with `validate`). */
  body?: yup.AnyObjectSchema;
  /** Largest body in bytes (default 64 KiB): the scope guard may read the body before the handler. */
  bodyLimit?: number;
  /** Class scope of an instructor route (see Scope). */
  scope?: Scope;
  handler: Handler;
}

export interface RouteTable {
  readonly specs: readonly RouteSpec[];
  add(spec: RouteSpec): void;
}

export interface RouteTableOptions {
  authenticator: () => Authenticator | undefined;
  /** INGEST_KEY: the master key student credentials derive from. */
  masterKey?: string;
  /** Builds the guard of a route's class scope (lms/classAccess.ts); `own_classes` lists filter in their handler. */
  scopeGuard: (scope: Exclude<Scope, 'own_classes'>, bodyLimit?: number) => Handler;
}

export function createRouteTable(router: Router, options: RouteTableOptions): RouteTable {
  const specs: RouteSpec[] = [];
  return {
    specs,
    add(spec) {
      if (spec.scope && spec.access !== 'instructor') throw new Error(`${spec.method} ${spec.path}: a class scope needs access 'instructor'`);
      specs.push(spec);
      const guard =
        spec.access === 'instructor' || spec.access === 'admin'
          ? [requireToken(spec.access, options.authenticator), ...(spec.scope && spec.scope !== 'own_classes' ? [options.scopeGuard(spec.scope, spec.bodyLimit)] : [])]
          : spec.access === 'student' || spec.access === 'ingest'
            ? [requireCompanion(options.masterKey, spec.access === 'student')]
            : [];
      router[spec.method](spec.path, ...(guard as never[]), spec.handler as never);
    },
  };
}

export function requireToken(access: 'instructor' | 'admin', authenticator: () => Authenticator | undefined): Handler {
  return async (ctx: Ctx, next: Next) => {
    const auth = authenticator();
    if (!auth) throw new HttpError(503, 'auth_not_configured', 'instructor accounts are not configured on this collector (JWT_SECRET is unset)');
    const who = await auth.authenticate(ctx.req);
    if (access === 'admin' && who.instructor.role !== 'admin') throw new HttpError(403, 'forbidden', 'this route is for admins');
    ctx.state.auth = who;
    await next();
  };
}

/** Ingest and the student routes: identity only from the companion's stamp and credential, never from the body. */
export function requireCompanion(masterKey: string | undefined, needUser: boolean): Handler {
  return async (ctx: Ctx, next: Next) => {
    ctx.state.companion = authenticateCompanion(ctx, masterKey, needUser);
    await next();
  };
}

export function companionOf(ctx: Ctx): CompanionIdentity {
  return ctx.state.companion as CompanionIdentity;
}

/** The student a student route speaks for (the guard made sure there is one). */
export function studentOf(ctx: Ctx): string {
  return companionOf(ctx).user!;
}

export function authOf(ctx: Ctx): Authenticated {
  return ctx.state.auth as Authenticated;
}

/** API bodies (a notebook included) nest at most this deep; deeper ones overflow recursive code. */
export const MAX_BODY_DEPTH = 100;

/**
 * JSON request body (co-body), 64 KiB unless told otherwise; parsed once per request (a guard that
 * needs the body and the handler share it). Bodies nested deeper than MAX_BODY_DEPTH are a 422.
 */
export async function readJson(ctx: Ctx, limit: string | number = '64kb'): Promise<unknown> {
  if (ctx.state.jsonBody !== undefined) return ctx.state.jsonBody.value;
  if (!ctx.is('application/json')) throw errors.unsupportedMediaType('send the body as application/json');
  const encoding = (ctx.get('content-encoding') || 'identity').trim().toLowerCase();
  if (!['identity', 'gzip', 'deflate'].includes(encoding)) throw errors.unsupportedMediaType('unsupported Content-Encoding; use gzip, deflate or none');
  let value: unknown;
  try {
    value = await parse.json(ctx.req, { limit, strict: true });
  } catch (err) {
    const e = err as { status?: number; type?: string; code?: string };
    if (e.code?.startsWith('Z_')) throw errors.badRequest('malformed_encoding', 'request body is not valid for its Content-Encoding');
    if (e.status === 413) throw errors.payloadTooLarge(`request body over ${typeof limit === 'number' ? `${limit} bytes` : limit}`);
    throw errors.malformedJson();
  }
  if (exceedsDepth(value, MAX_BODY_DEPTH)) throw errors.unprocessable('too_deep', `the body nests objects/arrays more than ${MAX_BODY_DEPTH} levels deep`);
  // NUL and lone surrogates cannot be stored (PostgreSQL refuses them): they become U+FFFD.
  makeTextStorable(value);
  ctx.state.jsonBody = { value };
  return value;
}

/**
 * Validates with yup and answers 422 `validation_failed` listing every field's problem:
 * `details.fields = [{ field, message }]`. Unknown keys are refused too (a typo must not pass silently).
 */
export async function validate<S extends yup.AnyObjectSchema>(schema: S, input: unknown): Promise<yup.InferType<S>> {
  // Query strings too: text that cannot be stored cannot be looked up either (PostgreSQL refuses NUL).
  const value = input !== null && typeof input === 'object' && !Array.isArray(input) ? Object.fromEntries(Object.entries(input).map(([k, v]) => [k, typeof v === 'string' ? storableText(v) : v])) : input;
  const fields = (schema as unknown as { fields: Record<string, yup.Schema> }).fields;
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const unknown = isObject ? Object.keys(value).filter((key) => !Object.hasOwn(fields, key)).map((field) => ({ field, message: `${field} is not a known field` })) : [];
  // An object or array where a string belongs: yup's own string cast can throw on it (a TypeError,
  // i.e. a 500) and its message would echo the value; say it plainly instead.
  const wrongType = isObject
    ? Object.entries(value as Record<string, unknown>)
        .filter(([key, v]) => Object.hasOwn(fields, key) && fields[key].type === 'string' && typeof v === 'object' && v !== null)
        .map(([field]) => ({ field, message: `${field} must be a string` }))
    : [];
  if (wrongType.length) throw errors.unprocessable('validation_failed', 'the request is not valid', { fields: [...wrongType, ...unknown] });
  let problems: Array<{ field: string; message: string }> = [];
  let result: yup.InferType<S> | undefined;
  try {
    result = await schema.validate(value, { abortEarly: false, stripUnknown: false });
  } catch (err) {
    // A transform that met an unexpected type is still the client's input, not a server fault.
    if (err instanceof TypeError) throw errors.unprocessable('validation_failed', 'the request is not valid', { fields: [{ field: '(body)', message: 'a field has the wrong type' }] });
    if (!(err instanceof yup.ValidationError)) throw err;
    // One message per field (an empty string fails both `min` and `required`; the first says enough).
    for (const e of err.inner.length ? err.inner : [err]) {
      const field = e.path || '(body)';
      if (!problems.some((p) => p.field === field)) problems.push({ field, message: e.message });
    }
  }
  if (problems.length || unknown.length) throw errors.unprocessable('validation_failed', 'the request is not valid', { fields: [...problems, ...unknown] });
  return result as yup.InferType<S>;
}

/** A database id in a body: a positive 32-bit integer (a larger one cannot exist, and PostgreSQL would refuse it). */
export const idNumber = () => yup.number().integer().positive().max(2_147_483_647, '${path} is not a valid id');

/**
 * `yup.string().trim()` that never throws on a non-string: yup's own trim calls `.trim()` on an
 * object or array (a TypeError → 500); this leaves it to the type check (a 422 naming the field).
 */
export const trimmedString = () => yup.string().transform((value: unknown) => (typeof value === 'string' ? value.trim() : value));

export const MAX_PAGE = 200;

/** `skip` ≥ 0 and 1 ≤ `limit` ≤ 200 (default 50), from the query string; 422 otherwise. */
export async function pagination(ctx: Ctx): Promise<{ skip: number; limit: number }> {
  const schema = yup.object({
    skip: yup.number().typeError('skip must be a number').integer('skip must be an integer').min(0).max(1_000_000_000, 'skip must be at most 1000000000').default(0),
    limit: yup.number().typeError('limit must be a number').integer('limit must be an integer').min(1).max(MAX_PAGE).default(50),
  });
  const { skip, limit } = await validate(schema, { skip: ctx.query.skip, limit: ctx.query.limit });
  return { skip, limit };
}

/** `:id`-style path parameter as a positive integer, or 404 (an id that cannot exist does not exist). */
export function idParam(ctx: Ctx, name = 'id', what = 'resource'): number {
  const raw = (ctx.params as Record<string, string>)[name];
  const id = /^\d{1,9}$/.test(raw ?? '') ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(404, 'not_found', `no such ${what}`);
  return id;
}

/** An optional `?name=` filter that must be a positive integer (422 otherwise). */
export function idQuery(ctx: Ctx, name: string): number | undefined {
  const raw = ctx.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) <= 0) {
    throw new HttpError(422, 'validation_failed', 'the request is not valid', { fields: [{ field: name, message: `${name} must be a positive integer` }] });
  }
  return Number(raw);
}
