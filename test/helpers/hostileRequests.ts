/**
 * fast-check generators of hostile HTTP requests against the collector: deep nesting, huge strings,
 * wrong types, prototype keys, duplicate JSON keys, invalid UTF-8, extreme dates and numbers, odd
 * encodings and content types, duplicate or malformed headers, odd paths and ids, and WebSocket
 * upgrades with every spelling of a path and garbage tokens. Bodies are built as JSON *text* so they
 * can hold what JSON.stringify cannot (5,000 levels of nesting, duplicate keys, `__proto__`).
 */
import http from 'node:http';
import zlib from 'node:zlib';
import fc from 'fast-check';

export type Kind = 'ingest' | 'auth' | 'lms' | 'student' | 'ws';

export interface HostileRequest {
  kind: Kind;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** WebSocket upgrades only: whether this upgrade may legitimately open (a valid token on a real route). */
  mayOpen?: boolean;
}

export interface Reply {
  status: number;
  body: string;
}

/** What the generators aim at: real ids and credentials of the running collector. */
export interface Targets {
  tokens: { admin: string; teacher: string; outsider: string };
  ids: { classId: number; assignmentId: number; submissionId: number; studentId: number; instructorId: number };
  /** Credential headers for a user name (the user's own, valid credential). */
  companion(user: string): Record<string, string>;
  masterKey: string;
}

// ---- JSON text ---------------------------------------------------------------------------------

/** A JSON value as text: a scalar, or nesting deeper than any serialiser could write. */
const deepText = fc.integer({ min: 50, max: 6000 }).chain((depth) =>
  fc.constantFrom(`${'['.repeat(depth)}1${']'.repeat(depth)}`, `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`, `${'[{"b":'.repeat(depth / 2)}null${'}]'.repeat(depth / 2)}`),
);

const hugeString = fc.integer({ min: 1_000, max: 300_000 }).map((n) => JSON.stringify('x'.repeat(n)));

const oddScalar = fc.constantFrom(
  '1e308', '-1e308', '1e400', '-0', '0', '9007199254740993', '-9007199254740993', '0.0000001', '1.5', 'true', 'false', 'null',
  '""', '" "', '"\\u0000"', '"\\ud800"', '"\\udfff"', '"NaN"', '"Infinity"', '"9999-12-31T23:59:59Z"', '"0000-01-01T00:00:00Z"',
  '"1970-01-01T00:00:00Z"', '"2026-11-23T09:00:00Z"', '"yesterday"', '"<script>alert(1)</script>"', '"\' OR 1=1 --"',
  '"%00%ff"', '"王小明"', '"😀😀😀"', '"\\r\\nX-Injected: 1"', '[]', '{}', '[[]]', '{"__proto__":{"polluted":true}}',
);

const plainValue = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 40, unit: 'grapheme' }).map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
);

const hostileValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: plainValue },
  { weight: 4, arbitrary: oddScalar },
  { weight: 1, arbitrary: deepText },
  { weight: 1, arbitrary: hugeString },
);

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** An object as JSON text, from [key, value text] pairs: duplicate keys and `__proto__` stay in. */
function objectText(pairs: Array<[string, string]>): string {
  return `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

function objectOf(fields: readonly string[], good: Record<string, string> = {}): fc.Arbitrary<string> {
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) });
  const pair = key.chain((k) =>
    (Object.hasOwn(good, k) ? fc.oneof({ weight: 2, arbitrary: fc.constant(good[k]) }, { weight: 3, arbitrary: hostileValue }) : hostileValue).map((v) => [k, v] as [string, string]),
  );
  return fc.array(pair, { maxLength: 12 }).map(objectText);
}

// ---- ingest ------------------------------------------------------------------------------------

const EVENT_FIELDS = [
  'eventId', 'eventType', 'eventTime', 'userId', 'sessionId', 'notebookPath', 'cellId', 'cellIndex', 'cellType', 'code', 'executionCount',
  'durationMs', 'success', 'error', 'output', 'metadata', 'schemaVersion', 'event_type', 'timestamp', 'student_id', 'hasError', 'errorMessage', 'result',
];

/** Values that are valid but unusual: they must be stored as they are, through every store. */
const oddButValid: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.string({ maxLength: 200, unit: 'grapheme' }).map((c): [string, string] => ['code', JSON.stringify(c)]),
  fc.integer({ min: 1_000, max: 200_000 }).map((n): [string, string] => ['code', JSON.stringify('界'.repeat(n))]),
  fc.jsonValue({ maxDepth: 5 }).map((v): [string, string] => ['output', JSON.stringify(v) ?? 'null']),
  fc.integer({ min: 1, max: 60 }).map((d): [string, string] => ['metadata', `${'{"m":'.repeat(d)}1${'}'.repeat(d)}`]),
  fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }).map((p): [string, string] => ['notebookPath', JSON.stringify(p)]),
  fc.constantFrom<[string, string]>(['code', '"\u0000 nul in code"'], ['output', '"\u0000"'], ['notebookPath', '"課題/第1回.ipynb"'], ['cellId', '"王"'], ['sessionId', '"s-1"']),
  fc.constantFrom<[string, string]>(['error', '{"name":"E","message":"\ud83d\ude00","traceback":"x"}'], ['eventType', '"widget_clicked"'], ['eventType', '"help_request"'], ['executionCount', '0']),
);

/** A hostile pair: any field (or a prototype / random key), any hostile value. */
const hostilePair: fc.Arbitrary<[string, string]> = fc
  .oneof({ weight: 6, arbitrary: fc.constantFrom(...EVENT_FIELDS) }, { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) })
  .chain((k) => hostileValue.map((v): [string, string] => [k, v]));

/**
 * An event: a valid core, then a few more pairs — valid-but-odd values (stored as they are) or
 * hostile ones (the event is refused, alone). Later duplicate keys win in JSON.parse.
 */
const hostileEvent = fc
  .record({ id: fc.uuid(), extra: fc.array(fc.oneof({ weight: 2, arbitrary: oddButValid }, { weight: 1, arbitrary: hostilePair }), { maxLength: 4 }) })
  .map(({ id, extra }) =>
    objectText([
      ['eventId', JSON.stringify(`fz-${id}`)],
      ['eventType', '"cell_execution_complete"'],
      ['eventTime', JSON.stringify(new Date().toISOString())],
      ['notebookPath', '"lab/fuzz.ipynb"'],
      ['cellId', '"c1"'],
      ...extra,
    ]),
  );

const ingestBody: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 8, arbitrary: fc.array(hostileEvent, { minLength: 1, maxLength: 6 }).map((events) => Buffer.from(`[${events.join(',')}]`)) },
  { weight: 1, arbitrary: hostileEvent.map((e) => Buffer.from(`{"events":[${e}],"events":${e}}`)) },
  { weight: 1, arbitrary: fc.integer({ min: 101, max: 400 }).map((n) => Buffer.from(`[${Array.from({ length: n }, () => '{}').join(',')}]`)) },
  { weight: 1, arbitrary: deepText.map((t) => Buffer.from(t)) },
  { weight: 1, arbitrary: hostileValue.map((t) => Buffer.from(t)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from('[{"eventId":"'), Buffer.from(b), Buffer.from('"}]')])) },
  { weight: 1, arbitrary: fc.constantFrom('', '[', '[]', '{}', 'null', '"x"', '[{]', '\ufeff[]', '[1,2,3]', 'NaN').map((t) => Buffer.from(t)) },
);

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | string[] | undefined>('application/json') },
  { weight: 1, arbitrary: fc.constantFrom<string | string[] | undefined>('application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'APPLICATION/JSON', undefined, ['application/json', 'text/plain']) },
);

type Encoding = 'none' | 'gzip' | 'deflate' | 'br' | 'lying-gzip' | 'bogus' | 'double';

function encode(body: Buffer, encoding: Encoding): { body: Buffer; header?: string } {
  switch (encoding) {
    case 'none':
      return { body };
    case 'gzip':
      return { body: zlib.gzipSync(body), header: 'gzip' };
    case 'deflate':
      return { body: zlib.deflateSync(body), header: 'deflate' };
    case 'br':
      return { body: zlib.brotliCompressSync(body), header: 'br' };
    case 'lying-gzip':
      return { body, header: 'gzip' };
    case 'bogus':
      return { body, header: 'x-unheard-of' };
    case 'double':
      return { body: zlib.gzipSync(zlib.gzipSync(body)), header: 'gzip, gzip' };
  }
}

const encoding = fc.oneof({ weight: 6, arbitrary: fc.constant<Encoding>('none') }, { weight: 3, arbitrary: fc.constantFrom<Encoding>('gzip', 'deflate', 'br', 'lying-gzip', 'bogus', 'double') });

const userName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('mallory', 'eve', '王小明', 'Zoë', 'a b', 'x'.repeat(255)) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }) },
);

/** Companion headers: mostly a valid credential for the user, sometimes broken in every way. */
function companionHeaders(t: Targets): fc.Arbitrary<Record<string, string | string[]>> {
  return fc.oneof(
    { weight: 6, arbitrary: userName.map((u) => t.companion(u)) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<Record<string, string | string[]>>(
        {},
        { authorization: `Bearer ${t.masterKey}`, 'x-cell-monitor-user': 'mallory' },
        { ...t.companion('mallory'), 'x-cell-monitor-user': 'victim' },
        { ...t.companion('mallory'), 'x-cell-monitor-user': '%E0%A4%A' },
        { ...t.companion('mallory'), 'x-cell-monitor-user': '%00' },
        { ...t.companion('mallory'), 'x-cell-monitor-user': 'x'.repeat(5000) },
        { ...t.companion('mallory'), 'x-cell-monitor-user': ['mallory', 'victim'] },
        { authorization: ['Bearer a', 'Bearer b'], 'x-cell-monitor-user': 'mallory' },
        { authorization: 'Basic bWFsbG9yeTpwYXNz', 'x-cell-monitor-user': 'mallory' },
        { authorization: 'Bearer ', 'x-cell-monitor-user': 'mallory' },
        { authorization: `Bearer cmc1_${'A'.repeat(5000)}`, 'x-cell-monitor-user': 'mallory' },
        { authorization: `Bearer ${t.tokens.admin}`, 'x-cell-monitor-user': 'mallory' },
        { ...t.companion('mallory'), 'x-forwarded-for': '203.0.113.1', host: 'evil.example' },
      ),
    },
  );
}

function ingestRequest(t: Targets): fc.Arbitrary<HostileRequest> {
  return fc.record({ body: ingestBody, encoding, contentType, auth: companionHeaders(t) }).map(({ body, encoding: enc, contentType: type, auth }) => {
    const encoded = encode(body, enc);
    const headers: Record<string, string | string[]> = { ...auth };
    if (type !== undefined) headers['content-type'] = type;
    if (encoded.header) headers['content-encoding'] = encoded.header;
    return { kind: 'ingest', method: 'POST', path: '/api/v1/events', headers, body: encoded.body };
  });
}

// ---- auth --------------------------------------------------------------------------------------

const garbageToken = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIn0.',
    'eyJhbGciOiJIUzI1NiJ9.e30.x',
    'a.b.c',
    '....',
    `${'e'.repeat(20_000)}.${'e'.repeat(20_000)}.x`,
  ),
);

function authRequest(t: Targets): fc.Arbitrary<HostileRequest> {
  const login = objectOf(['email', 'password'], { email: '"ann@school.example"', password: '"wrong-password-1"' }).map(
    (body): HostileRequest => ({ kind: 'auth', method: 'POST', path: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, body: Buffer.from(body) }),
  );
  const password = objectOf(['current_password', 'new_password'], { current_password: '"nope-nope-1"' }).map(
    (body): HostileRequest => ({ kind: 'auth', method: 'PUT', path: '/api/v1/auth/password', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.tokens.outsider}` }, body: Buffer.from(body) }),
  );
  const me = fc.tuple(garbageToken, fc.constantFrom('header', 'query', 'both')).map(([token, where]): HostileRequest => {
    const safe = token.replace(/[^\x21-\x7e]/g, 'x');
    return {
      kind: 'auth',
      method: 'GET',
      path: where === 'header' ? '/api/v1/auth/me' : `/api/v1/auth/me?token=${encodeURIComponent(token)}`,
      headers: where === 'query' ? {} : { authorization: `Bearer ${safe}` },
    };
  });
  return fc.oneof({ weight: 3, arbitrary: login }, { weight: 1, arbitrary: password }, { weight: 2, arbitrary: me });
}

// ---- LMS ---------------------------------------------------------------------------------------

const ROUTES: Array<[string, string, readonly string[]]> = [
  ['POST', '/api/v1/classes', ['name', 'class_code', 'description']],
  ['GET', '/api/v1/classes', []],
  ['GET', '/api/v1/classes/:class', []],
  ['PUT', '/api/v1/classes/:class', ['name', 'class_code', 'description']],
  ['GET', '/api/v1/classes/:class/students', []],
  ['POST', '/api/v1/classes/:class/students', ['student_id', 'user_id', 'email', 'name']],
  ['GET', '/api/v1/classes/:class/teachers', []],
  ['POST', '/api/v1/classes/:class/teachers', ['instructor_id', 'email', 'role']],
  ['POST', '/api/v1/assignments', ['class_id', 'notebook_path', 'title', 'description', 'due_date']],
  ['GET', '/api/v1/assignments', []],
  ['GET', '/api/v1/assignments/:assignment', []],
  ['PUT', '/api/v1/assignments/:assignment', ['notebook_path', 'title', 'description', 'due_date']],
  ['POST', '/api/v1/submissions', ['assignment_id', 'student_id', 'notebook_content', 'submission_comment', 'submitted_at']],
  ['GET', '/api/v1/submissions', []],
  ['GET', '/api/v1/submissions/:submission', []],
  ['PUT', '/api/v1/submissions/:submission', ['score', 'feedback']],
  ['GET', '/api/v1/students', []],
  ['GET', '/api/v1/students/:student', []],
  ['GET', '/api/v1/events', []],
  ['POST', '/api/v1/instructors', ['email', 'name', 'password', 'role']],
  ['PUT', '/api/v1/instructors/:instructor', ['name', 'role', 'is_active']],
  ['GET', '/api/v1/instructor_status/:instructor/history', []],
  ['PUT', '/api/v1/instructor_status/:instructor', ['status', 'current_session_id']],
  ['POST', '/api/v1/instructor_status/bulk', ['updates']],
];

const oddId = fc.constantFrom('0', '-1', '99999999999', 'abc', '1e3', '%00', '..%2F..', '1.5', ' 1', 'x'.repeat(3000), '%E0%A4%A', '0x10');
const oddQuery = fc.constantFrom('', '?limit=0', '?limit=201', '?skip=-1', '?limit=abc', '?class_id=abc', '?class_id=1&class_id=2', '?user_id[]=x', '?from=9999-99-99', '?to=yesterday', '?limit=1e9', `?notebook_path=${'x'.repeat(5000)}`, '?after=-1', '?__proto__[a]=1', '?is_active=maybe', '?user_id=%00', '?notebook_path=a%00b', '?event_type=%ED%A0%80', '?skip=1e20', '?class_id=99999999999');

function lmsRequest(t: Targets): fc.Arbitrary<HostileRequest> {
  const realId: Record<string, number> = { class: t.ids.classId, assignment: t.ids.assignmentId, submission: t.ids.submissionId, student: t.ids.studentId, instructor: t.ids.instructorId };
  return fc
    .record({
      route: fc.constantFrom(...ROUTES),
      id: fc.oneof({ weight: 3, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: oddId }),
      query: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: oddQuery }),
      who: fc.constantFrom('admin', 'teacher', 'outsider', 'garbage') as fc.Arbitrary<'admin' | 'teacher' | 'outsider' | 'garbage'>,
      body: fc.constant(null),
    })
    .chain((r) =>
      objectOf(r.route[2].length ? r.route[2] : ['unknown'], {
        class_id: String(t.ids.classId),
        assignment_id: String(t.ids.assignmentId),
        student_id: String(t.ids.studentId),
        notebook_content: '{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}',
        title: '"Fuzzed"',
        notebook_path: '"fuzz.ipynb"',
        name: '"Fuzzed"',
      }).map((body) => ({ ...r, body })),
    )
    .map(({ route: [method, template, fields], id, query, who, body }): HostileRequest => {
      const path = template.replace(/:([a-z]+)/, (_, kind: string) => id ?? String(realId[kind])) + query;
      const token = who === 'garbage' ? 'not.a.token' : t.tokens[who];
      const headers: Record<string, string | string[]> = { authorization: `Bearer ${token}` };
      if (method === 'GET') return { kind: 'lms', method, path, headers };
      return { kind: 'lms', method, path, headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(fields.length ? body : '{}') };
    });
}

// ---- student routes ----------------------------------------------------------------------------

function studentRequest(t: Targets): fc.Arbitrary<HostileRequest> {
  const get = fc.tuple(fc.constantFrom('assignments', 'submissions', 'notifications'), oddQuery, companionHeaders(t)).map(
    ([resource, query, auth]): HostileRequest => ({ kind: 'student', method: 'GET', path: `/api/v1/student/${resource}${query}`, headers: auth }),
  );
  const submit = fc
    .tuple(objectOf(['assignment_id', 'notebook_content', 'submission_comment', 'student_id', 'user_id'], { assignment_id: String(t.ids.assignmentId), notebook_content: '{"cells":[]}' }), companionHeaders(t))
    .map(([body, auth]): HostileRequest => ({ kind: 'student', method: 'POST', path: '/api/v1/student/submissions', headers: { ...auth, 'content-type': 'application/json' }, body: Buffer.from(body) }));
  return fc.oneof(get, submit);
}

// ---- WebSocket upgrades ------------------------------------------------------------------------

const WS_PATHS = ['/ws', '/WS', '/ws/', '//ws', '/instructor/ws', '/instructor/WS', '/instructor/ws/', '/ws%2F', '/ws;x', '/', '/nothing', '/api/v1/events', '/ws/../ws', '/./ws'];

function wsRequest(t: Targets): fc.Arbitrary<HostileRequest> {
  return fc
    .record({
      path: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...WS_PATHS) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => `/${encodeURIComponent(s)}`) }),
      token: fc.oneof(
        { weight: 2, arbitrary: fc.constant<string | undefined>(t.tokens.teacher) },
        { weight: 2, arbitrary: fc.constant<string | undefined>(undefined) },
        { weight: 3, arbitrary: garbageToken.map((s) => s as string | undefined) },
      ),
      where: fc.constantFrom('query', 'protocol', 'header'),
      key: fc.constantFrom('dGhlIHNhbXBsZSBub25jZQ==', '', 'short', '!!!!!!!!!!!!!!!!!!!!!!!!'),
      version: fc.constantFrom('13', '8', 'x', ''),
      extraProtocol: fc.constantFrom('', 'chat', 'cell-monitor.bearer', ' , ,'),
    })
    .map(({ path, token, where, key, version, extraProtocol }): HostileRequest => {
      const headers: Record<string, string | string[]> = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': version, 'sec-websocket-key': key };
      let url = path;
      const safeToken = token?.replace(/[^\x21-\x7e]/g, 'x');
      if (token !== undefined && where === 'query') url += `?token=${encodeURIComponent(token)}`;
      if (safeToken !== undefined && where === 'protocol') headers['sec-websocket-protocol'] = `cell-monitor.bearer, ${safeToken}${extraProtocol ? `, ${extraProtocol}` : ''}`;
      else if (extraProtocol) headers['sec-websocket-protocol'] = extraProtocol;
      if (safeToken !== undefined && where === 'header') headers.authorization = `Bearer ${safeToken}`;
      const validHandshake = key === 'dGhlIHNhbXBsZSBub25jZQ==' && (version === '13' || version === '8'); // ws speaks hybi-08 and 13
      // The client resolves dot segments (/./ws is /ws on the wire); the server sees the resolved path.
      const sent = new URL(path, 'http://collector').pathname;
      const mayOpen = token === t.tokens.teacher && (sent === '/ws' || sent === '/instructor/ws') && validHandshake;
      return { kind: 'ws', method: 'GET', path: url, headers, mayOpen };
    });
}

/** Every kind of hostile request, in proportion. */
export function hostileRequest(t: Targets): fc.Arbitrary<HostileRequest> {
  return fc.oneof(
    { weight: 5, arbitrary: ingestRequest(t) },
    { weight: 2, arbitrary: authRequest(t) },
    { weight: 3, arbitrary: lmsRequest(t) },
    { weight: 2, arbitrary: studentRequest(t) },
    { weight: 2, arbitrary: wsRequest(t) },
  );
}

/** Node's HTTP server refuses a request line + headers over 16 KiB with 431 and resets the socket. */
const MAX_HEADER_BYTES = 16 * 1024;

function headerBytes(request: HostileRequest): number {
  const values = Object.entries(request.headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => k.length + x.length + 4));
  return request.path.length + values.reduce((a, b) => a + b, 0);
}

/**
 * Sends a request as raw HTTP (odd headers, invalid bytes); a WebSocket upgrade answers 101 or its
 * refusal. Over-long headers are answered 431 by Node itself, which then resets the connection: a
 * reset may arrive before the client reads that answer, so it counts as the 431 it is.
 */
export function send(base: string, request: HostileRequest, timeoutMs = 15_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a reused keep-alive socket the server is just closing would reset.
    const req = http.request(base + request.path, { method: request.method, headers: request.headers, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms: ${request.method} ${request.path.slice(0, 80)}`));
    }, timeoutMs);
    req.on('upgrade', (_res, socket) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: text });
      });
      res.on('error', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: text });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if ((err.code === 'ECONNRESET' || err.code === 'EPIPE') && headerBytes(request) > MAX_HEADER_BYTES) resolve({ status: 431, body: '' });
      else reject(err);
    });
    req.end(request.body);
  });
}
