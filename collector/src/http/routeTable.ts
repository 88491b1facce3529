/**
 * Every HTTP route is declared once, with who may call it; the router, the OpenAPI document and
 * the auth-matrix test are all built from this table, so they cannot drift apart.
 */
import type Router from '@koa/router';
import type { Next, ParameterizedContext } from 'koa';
import type * as yup from 'yup';
import { parameterGuard } from './requestGuards.ts';

/**
 * public: anyone; ingest: a Jupyter companion — the credential of the user it stamps when INGEST_KEY
 * is set, else any sender on this machine (loopback) — or, with LEGACY_V1_CLIENTS=1 only, a request
 * without companion headers whose body is a v1 client's (self-reported identity); student: a companion with INGEST_KEY set, the
 * credential matching the stamped user (always refused without a key); instructor: any valid
 * instructor token; admin: an admin's token; metrics: an admin's token, or METRICS_TOKEN as a bearer
 * token when it is set (a scraper needs no instructor account).
 */
export type Access = 'public' | 'ingest' | 'student' | 'instructor' | 'admin' | 'metrics';
export type Method = 'get' | 'post' | 'put' | 'delete';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ctx = ParameterizedContext<any, any, any>;
export type Handler = (ctx: Ctx, next: Next) => unknown;

/** Where a scoped route finds the id of the resource it acts on. */
/** Where a scoped route finds the id: a path parameter, a body field or a query parameter. */
export type IdFrom = { param: string } | { body: string } | { query: string };

/**
 * Which classes' data a route touches, for instructors who are not admins (lms/classAccess.ts):
 * a class (`role: 'owner'` for what only its owners may do), an assignment's or a submission's
 * class, a student enrolled in one of the caller's classes (by id, by Jupyter user name, or as the
 * student of a help request or of a notebook version), or `own_classes` for lists that are filtered to the caller's classes.
 */
export type Scope =
  | { class: IdFrom; role?: 'owner' }
  | { assignment: IdFrom }
  | { submission: IdFrom }
  | { student: IdFrom }
  | { student_user: IdFrom }
  | { help_request: IdFrom }
  | { version: IdFrom }
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
  /**
   * The guards in front of a route's handler, from its declaration (auth/accessGuards.ts): who may
   * call it, then its class scope. Every access level other than 'public' gets at least one.
   * In front of them all, every route gets `parameterGuard` (no control character in a parameter).
   */
  guards(spec: RouteSpec): Handler[];
}

export function createRouteTable(router: Router, options: RouteTableOptions): RouteTable {
  const specs: RouteSpec[] = [];
  return {
    specs,
    add(spec) {
      if (spec.scope && spec.access !== 'instructor') throw new Error(`${spec.method} ${spec.path}: a class scope needs access 'instructor'`);
      const guards = options.guards(spec);
      if (spec.access !== 'public' && guards.length === 0) throw new Error(`${spec.method} ${spec.path}: access '${spec.access}' has no guard`);
      specs.push(spec);
      router[spec.method](spec.path, parameterGuard as never, ...(guards as never[]), spec.handler as never);
    },
  };
}
