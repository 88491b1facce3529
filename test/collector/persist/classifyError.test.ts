import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyDbError, dbErrorForLog, isDatabaseAway } from '../../../collector/src/persist/classifyError.ts';

test('data errors are dead, everything else is retried', () => {
  assert.equal(classifyDbError({ code: '23505' }), { kind: 'dead', reason: 'pg_23505' });
  assert.equal(classifyDbError({ code: '22P05' }), { kind: 'dead', reason: 'pg_22P05' });
  assert.equal(classifyDbError({ code: '54000' }), { kind: 'dead', reason: 'pg_54000' }, 'index row too large: can never be written');
  assert.is(classifyDbError({ code: '54001' }).kind, 'dead');
  assert.equal(classifyDbError({ code: 'SQLITE_CONSTRAINT_CHECK' }), { kind: 'dead', reason: 'sqlite_constraint_check' });
  assert.is(classifyDbError(new TypeError('x')).kind, 'dead');
  assert.equal(classifyDbError({ code: 'ECONNREFUSED' }), { kind: 'retry', reason: 'db_econnrefused' });
  assert.is(classifyDbError({ code: '57P01' }).kind, 'retry'); // admin shutdown
  assert.is(classifyDbError({ code: '40P01' }).kind, 'retry'); // deadlock
  assert.is(classifyDbError({ code: 'SQLITE_BUSY' }).kind, 'retry');
  assert.equal(classifyDbError(new Error('pool timeout')), { kind: 'retry', reason: 'db_unavailable' });
});

test("the database away, starting or busy is never an event's fault; a data or unknown error may be", () => {
  for (const code of ['57P03', '57P01', '08006', '08001', '53300', '40P01', 'ECONNREFUSED', 'ECONNRESET', 'SQLITE_BUSY']) assert.ok(isDatabaseAway({ code }), code);
  assert.ok(isDatabaseAway(new Error('Connection terminated unexpectedly')));
  assert.ok(isDatabaseAway(Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' })));
  for (const code of ['P0001', '23505', '42P01', '']) assert.not.ok(isDatabaseAway({ code }), code || 'no code');
});

test('logged database errors keep the driver message but not the statement and its values', () => {
  const err = Object.assign(new Error("insert into \"events\" (\"code\") values ('secret student code') - relation does not exist"), { code: '42P01' });
  const logged = dbErrorForLog(err);
  assert.equal(logged, { code: '42P01', message: 'relation does not exist' });
});

test.run();
