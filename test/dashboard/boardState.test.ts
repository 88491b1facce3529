import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BoardCard, BoardSnapshot, StudentStatus } from '@cell-monitor/shared';
import { applyMessage, byUrgency, createDeltaLog, duration, fromSnapshot, seconds, teamGroups, visibleCards } from '../../dashboard/src/boardState.ts';
import { DICTIONARIES } from '../../dashboard/src/i18n.ts';

const it = suite('dashboard page: board state (pure)');

function card(userId: string, status: StudentStatus, fields: Partial<BoardCard> = {}): BoardCard {
  return { userId, displayName: userId, status, notebookPath: null, cellId: null, cellIndex: null, lastActivityAt: null, runs: 0, errors: 0, lastError: null, sparkline: [], help: null, stuck: null, lagSeconds: 0, team: null, ...fields };
}
const help = (requestedAt: string) => ({ id: 1, userId: '', displayName: '', notebookPath: null, cellId: null, cellIndex: null, requestedAt, claimedBy: null, claimedAt: null, resolvedBy: null, resolvedAt: null, state: 'open' as const });
const counts = { help: 0, stuck: 0, catching_up: 0, active: 0, idle: 0, offline: 0 };

function snapshot(cards: BoardCard[]): BoardSnapshot {
  return { classId: 1, className: 'C', generatedAt: '', stuckErrors: 3, cards, counts, helpQueue: [], timeToHelp: { resolved: 0, medianSeconds: null, p90Seconds: null } };
}

it('most urgent first: help (longest waiting first), stuck, catching up, active, idle, offline; then by name, numbers in order', () => {
  const cards = [
    card('zoe', 'offline'),
    card('amy', 'idle'),
    card('late-helper', 'help', { help: help('2026-11-24T09:05:00Z') }),
    card('s10', 'active'),
    card('s9', 'active'),
    card('early-helper', 'help', { help: help('2026-11-24T09:01:00Z') }),
    card('bob', 'stuck'),
    card('cat', 'catching_up'),
  ];
  assert.equal([...cards].sort(byUrgency).map((c) => c.userId), ['early-helper', 'late-helper', 'bob', 'cat', 's9', 's10', 'amy', 'zoe']);
});

it('filters by status and by a part of the name, ignoring case', () => {
  const view = fromSnapshot(snapshot([card('u1', 'active', { displayName: 'Chloé Martin' }), card('u2', 'stuck', { displayName: 'Daniel Kim' }), card('u3', 'active', { displayName: 'Dana Ross' })]), 0);
  assert.equal(visibleCards(view, { statuses: new Set(['active']), search: '' }).map((c) => c.userId), ['u1', 'u3']);
  assert.equal(visibleCards(view, { statuses: new Set(), search: 'DAN' }).map((c) => c.userId), ['u2', 'u3']);
  assert.equal(visibleCards(view, { statuses: new Set(['idle']), search: '' }), []);
});

it('a card delta replaces that student only; a header delta replaces counts, time to help and the queue; the old view is untouched', () => {
  const before = fromSnapshot(snapshot([card('u1', 'active'), card('u2', 'idle')]), 0);
  const after = applyMessage(before, { type: 'card', card: card('u1', 'stuck') }, 5);
  assert.is(after.cards.get('u1')!.status, 'stuck');
  assert.is(after.cards.get('u2')!.status, 'idle');
  assert.is(before.cards.get('u1')!.status, 'active');
  assert.is(after.updatedAt, 5);
  const header = applyMessage(after, { type: 'header', counts: { ...counts, stuck: 1, idle: 1 }, timeToHelp: { resolved: 2, medianSeconds: 60, p90Seconds: 90 }, helpQueue: [help('x')] }, 9);
  assert.equal([header.counts.stuck, header.timeToHelp.medianSeconds, header.helpQueue.length, header.cards.size], [1, 60, 1, 2]);
  assert.is(applyMessage(header, { type: 'stale', views: ['progress'] }, 10), header, 'a stale hint changes nothing on the board');
});

it('a snapshot read while the socket speaks: its answer (computed before the help request) gets the help card that came meanwhile, and the later of two cards wins', () => {
  const log = createDeltaLog();
  log.record({ type: 'card', card: card('u1', 'idle') }); // before the read: in the answer already
  const read = log.begin();
  const other = log.begin();
  log.record({ type: 'card', card: card('u1', 'active') });
  log.record({ type: 'card', card: card('u1', 'help') });
  log.record({ type: 'removed', userId: 'u3' });
  const answer = fromSnapshot(snapshot([card('u1', 'offline'), card('u2', 'idle'), card('u3', 'idle')]), 0);
  const view = read.settle(answer, 7);
  assert.equal([...view.cards.values()].map((c) => [c.userId, c.status]), [['u1', 'help'], ['u2', 'idle']]);
  other.drop();
  log.record({ type: 'card', card: card('u2', 'stuck') }); // after both: recorded for no read
  const later = log.begin();
  assert.is(later.settle(answer, 8).cards.get('u2')!.status, 'idle', 'a new read starts empty');
  assert.is(answer.cards.get('u1')!.status, 'offline', 'the answer itself is untouched');
});

it('durations read naturally', () => {
  assert.equal([duration(4_000), duration(59_000), duration(4 * 60_000 + 10_000), duration(65 * 60_000)], ['4 s', '59 s', '4 min', '1 h 05']);
  assert.equal([seconds(null), seconds(45.4), seconds(90)], ['—', '45 s', '1 min 30']);
});

it('English and Japanese have the same words, none empty, with the same placeholders', () => {
  const en = DICTIONARIES.en as Record<string, string>;
  const ja = DICTIONARIES.ja as Record<string, string>;
  assert.equal(Object.keys(ja).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    assert.ok(ja[key].trim().length > 0, key);
    // Word order differs between the languages: the same placeholders, in any order.
    assert.equal((ja[key].match(/\{\w+\}/g) ?? []).sort(), (en[key].match(/\{\w+\}/g) ?? []).sort(), key);
  }
  assert.is(ja['status.help'], 'ヘルプ要請');
  assert.is(ja['help.resolve'], '解決済みにする');
});

it('a removed student (their data erased) leaves the board', () => {
  const view = fromSnapshot(snapshot([card('alice', 'active'), card('bob', 'idle')]), 0);
  const after = applyMessage(view, { type: 'removed', userId: 'alice' }, 1);
  assert.equal([...after.cards.keys()], ['bob']);
  assert.equal([...view.cards.keys()], ['alice', 'bob'], 'the old view is left as it was');
});

it('grouped by team: a team with a member needing help or stuck comes first and shows that status; no team last', () => {
  const cards = [
    card('a1', 'active', { team: 'Team 10' }),
    card('a2', 'idle', { team: 'Team 10' }),
    card('b1', 'offline', { team: 'Team 2' }),
    card('c1', 'active', { team: 'Team 3' }),
    card('c2', 'stuck', { team: 'Team 3' }),
    card('d1', 'help', { team: 'Team 9', help: help('2026-11-24T09:00:00Z') }),
    card('loner', 'help', { help: help('2026-11-24T08:00:00Z') }),
  ].sort(byUrgency);
  const groups = teamGroups(cards);
  assert.equal(groups.map((g) => [g.team, g.status, g.cards.map((c) => c.userId)]), [
    ['Team 9', 'help', ['d1']],
    ['Team 3', 'stuck', ['c2', 'c1']],
    ['Team 2', 'offline', ['b1']],
    ['Team 10', 'active', ['a1', 'a2']],
    [null, 'help', ['loner']],
  ]);
});

it.run();
