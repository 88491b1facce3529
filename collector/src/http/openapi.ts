/**
 * `GET /api/v1/openapi.json`: an OpenAPI 3.1 document built from the route table (the same list the
 * router is built from), with request bodies described from the yup schemas.
 */
import type * as yup from 'yup';
import type { RouteSpec, RouteTable } from './routeTable.ts';

type JsonSchema = Record<string, unknown>;

function fieldSchema(description: yup.SchemaDescription | yup.SchemaFieldDescription): JsonSchema {
  const d = description as yup.SchemaDescription & { fields?: Record<string, yup.SchemaFieldDescription>; innerType?: yup.SchemaFieldDescription };
  const schema: JsonSchema = {};
  if (d.type === 'object') Object.assign(schema, objectSchema(d));
  else if (d.type === 'array') Object.assign(schema, { type: 'array', ...(d.innerType ? { items: fieldSchema(d.innerType) } : {}) });
  else if (d.type === 'number') schema.type = d.tests.some((t) => t.name === 'integer') ? 'integer' : 'number';
  else schema.type = d.type;
  const values = (d.oneOf ?? []).filter((v) => v !== undefined && v !== null);
  if (values.length) schema.enum = values;
  if (d.nullable) schema.type = [schema.type, 'null'];
  for (const test of d.tests) {
    const limit = (test.params as { min?: number; max?: number } | undefined) ?? {};
    if (test.name === 'min') schema[d.type === 'string' ? 'minLength' : d.type === 'array' ? 'minItems' : 'minimum'] = limit.min;
    if (test.name === 'max') schema[d.type === 'string' ? 'maxLength' : d.type === 'array' ? 'maxItems' : 'maximum'] = limit.max;
    if (test.name === 'email') schema.format = 'email';
  }
  return schema;
}

function objectSchema(d: { fields?: Record<string, yup.SchemaFieldDescription> }): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(d.fields ?? {})) {
    properties[name] = fieldSchema(field);
    if (!(field as yup.SchemaDescription).optional) required.push(name);
  }
  return { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string', description: 'machine-readable id' }, message: { type: 'string' }, details: {} },
};

export function openApiDocument(specs: readonly RouteSpec[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const path = spec.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const params = [...spec.path.matchAll(/:([A-Za-z_]+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(spec.responses)) {
      responses[status] = Number(status) >= 400 ? { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } : { description };
    }
    if (spec.access === 'instructor' || spec.access === 'admin' || spec.access === 'metrics') {
      responses['401'] = { description: 'no, forged, expired or revoked token', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    if (spec.access === 'admin' || spec.access === 'metrics') responses['403'] = { description: 'not an admin', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    if (spec.scope && spec.scope !== 'own_classes') {
      responses['403'] ??= { description: 'not a teacher (or, where noted, not an owner) of the class concerned', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    if (spec.access === 'student' || spec.access === 'ingest') {
      responses['401'] ??= { description: "no credential, or not the stamped user's credential", content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    paths[path] ??= {};
    paths[path][spec.method] = {
      summary: spec.summary,
      tags: [spec.tag],
      'x-access': spec.access,
      ...(spec.scope ? { 'x-class-scope': spec.scope } : {}),
      ...(spec.access === 'instructor' || spec.access === 'admin'
        ? { security: [{ bearer: [] }] }
        : spec.access === 'metrics'
          ? { security: [{ bearer: [] }, { metricsToken: [] }] }
        : spec.access === 'student'
          ? { security: [{ studentCredential: [] }] }
          : spec.access === 'ingest'
            ? { security: [{ studentCredential: [] }, {}] }
            : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: objectSchema(spec.body.describe() as never) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'cell-monitor collector', version },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'instructor token from POST /api/v1/auth/login' },
        studentCredential: {
          type: 'http',
          scheme: 'bearer',
          description: "a student's credential (HMAC of the user under INGEST_KEY, from issue-credential) with the user in X-Cell-Monitor-User, percent-encoded; sent by the Jupyter companion. Without INGEST_KEY, ingest takes loopback senders only.",
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for a Prometheus scraper (GET /metrics only)' },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}

/** Declares `GET /api/v1/openapi.json`: the table describes itself, the routes added after this one included. */
export function addOpenApiRoute(table: RouteTable, version: string): void {
  table.add({
    method: 'get',
    path: '/api/v1/openapi.json',
    access: 'public',
    tag: 'operations',
    summary: 'This API as an OpenAPI 3.1 document',
    responses: { 200: 'the document' },
    handler: (ctx) => {
      ctx.body = openApiDocument(table.specs, version);
    },
  });
}
