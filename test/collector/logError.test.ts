import { Writable } from 'node:stream';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { logError } from '../../collector/src/core/logger.ts';

/** What a log line says about an error, through pino's own err serializer. */
function logged(err: unknown): Record<string, unknown> {
  let line = '';
  const log = pino({}, new Writable({ write: (chunk, _enc, done) => ((line += chunk), done()) }));
  log.warn({ err: logError(err) }, 'x');
  return JSON.parse(line).err;
}

test('an error is logged as an error: its type, message, code and stack', () => {
  const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  const out = logged(err);
  assert.is(out.type, 'Error');
  assert.is(out.message, 'connect ECONNREFUSED 127.0.0.1:6379');
  assert.is(out.code, 'ECONNREFUSED');
  assert.match(String(out.stack), /\n\s+at /);
});

test("a remote's long answer is cut to 300 characters; the code and the stack frames stay", () => {
  const err = Object.assign(new TypeError(`influx said ${'x'.repeat(5_000)}`), { code: 'E_BIG' });
  const out = logged(err);
  assert.is(out.type, 'TypeError');
  assert.is(String(out.message).length, 301);
  assert.ok(String(out.message).endsWith('…'));
  assert.is(out.code, 'E_BIG');
  assert.ok(String(out.stack).length < 2_000, 'the long message is not repeated in the stack');
  assert.match(String(out.stack), /\n\s+at /);
});

test('something thrown that is not an Error is logged as one', () => {
  assert.is(logged('plain text').message, 'plain text');
});

test.run();
