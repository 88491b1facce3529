/**
 * Reading a request: the JSON body (once per request), yup validation with field-level 422s, and
 * the id / pagination parameters every resource route uses.
 */
import parse from 'co-body';
import * as yup from 'yup';
import { exceedsDepth, makeTextStorable, storableText } from '@cell-monitor/shared';
import { errors } from './errors.ts';
import type { Ctx } from './routeTable.ts';

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

/**
 * An ISO 8601 date-time string between the years 1000 and 9999 (null allowed: "no date"). JavaScript
 * reads year 0000 or ±275760 where PostgreSQL has no such timestamp (a 500): they are a 422 here.
 */
export const isoDateTime = () =>
  yup
    .string()
    .nullable()
    .test('date', '${path} must be an ISO 8601 date-time between the years 1000 and 9999', (v) => {
      if (v === undefined || v === null) return true;
      const at = Date.parse(v);
      if (Number.isNaN(at)) return false;
      const year = new Date(at).getUTCFullYear();
      return year >= 1000 && year <= 9999;
    });

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

/** A page of a list: the items (through `view`) as the body, the total without paging in `X-Total-Count`. */
export function sendPage<T, V>(ctx: Ctx, result: { items: T[]; total: number }, view: (row: T) => V): void {
  ctx.set('X-Total-Count', String(result.total));
  ctx.body = result.items.map((row) => view(row));
}

/** `:id`-style path parameter as a positive integer, or 404 `<resource>_not_found` (an id that cannot exist does not exist). */
export function idParam(ctx: Ctx, name: string, resource: string): number {
  const raw = (ctx.params as Record<string, string>)[name];
  const id = /^\d{1,9}$/.test(raw ?? '') ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw errors.notFound(resource);
  return id;
}

/** An optional `?name=` filter that must be a positive integer (422 otherwise). */
export function idQuery(ctx: Ctx, name: string): number | undefined {
  const raw = ctx.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) <= 0) {
    throw errors.unprocessable('validation_failed', 'the request is not valid', { fields: [{ field: name, message: `${name} must be a positive integer` }] });
  }
  return Number(raw);
}
