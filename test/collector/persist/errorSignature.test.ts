/**
 * The error signature's masking is linear in the text (issue 18 item 3): a crafted message cannot
 * hold the persister, and for every line the old regular expressions could read it gives what they
 * gave (they are kept here as the reference).
 */
import { performance } from 'node:perf_hooks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { errorSignature, MAX_SCANNED_CHARS } from '../../../collector/src/activity/errorSignature.ts';

const it = suite('error signature');

/** The masking as it was before: the same results, quadratic on crafted quotes. */
function reference(name: string, message: string): string {
  const first = (message.split('\n').find((line) => line.trim() !== '') ?? '').trim();
  const masked = first
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/<[^<>]*>/g, '<…>')
    .replace(/(?:^|(?<=[\s(=:]))(?:\/|[A-Za-z]:\\)[^\s,)'"]+/g, '…')
    .replace(/\b0x[0-9a-fA-F]+\b/g, '…')
    .replace(/(?<![A-Za-z_])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/g, '…');
  const signature = masked ? `${name}: ${masked}` : name;
  return signature.length > 200 ? `${signature.slice(0, 199)}…` : signature;
}

const CRAFTED = `'${"\\'".repeat(4999)}`;

it('a crafted message (a quote and 4,999 escaped quotes) is masked in linear time', () => {
  const started = performance.now();
  let signature = '';
  for (let i = 0; i < 100; i++) signature = errorSignature('ValueError', CRAFTED);
  const ms = performance.now() - started;
  const before = performance.now();
  reference('ValueError', CRAFTED);
  const referenceMs = performance.now() - before;
  console.log(`# 100 crafted ${CRAFTED.length}-char messages: ${ms.toFixed(1)} ms; the old expressions: ${referenceMs.toFixed(0)} ms for one`);
  assert.is(signature, `ValueError: ${CRAFTED.slice(0, 187)}…`, 'nothing to mask: no quote closes');
  assert.ok(ms < 500, `${ms.toFixed(0)} ms for 100 crafted messages`);
  // Every crafted shape the old expressions were slow on, each well under a millisecond now.
  for (const text of [CRAFTED, `"${'\\"'.repeat(4999)}`, `${'<'.repeat(5000)}`, `${'1'.repeat(5000)}a`, `${'0x'}${'f'.repeat(5000)}g`, `(/${'a'.repeat(5000)}`]) {
    const t = performance.now();
    for (let i = 0; i < 100; i++) errorSignature('E', text);
    assert.ok(performance.now() - t < 500, `${text.slice(0, 10)}…: ${(performance.now() - t).toFixed(0)} ms for 100`);
  }
});

it('the same signatures as the old expressions for every first line up to the scanned length', () => {
  const pieces = fc.constantFrom("'", '"', '\\', '<', '>', '/', 'C:\\', ':', '=', '(', ')', ',', ' ', '\t', '\r', '\n', '0x', '0', '7', '.', 'e', 'e-', '+', '-', '_', 'a', 'F', 'é', '…', '\u2028');
  const message = fc.array(fc.oneof(pieces, fc.string({ maxLength: 4 })), { maxLength: 120 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(message, (text) => {
      const firstLine = (text.split('\n').find((line) => line.trim() !== '') ?? '').trim();
      fc.pre(firstLine.length <= MAX_SCANNED_CHARS);
      assert.is(errorSignature('E', text), reference('E', text), JSON.stringify(text));
    }),
    { numRuns: 20_000 },
  );
});

it('typical Python errors keep their signatures', () => {
  const messages = [
    "name 'df' is not defined",
    "unsupported operand type(s) for +: 'int' and 'str'",
    'could not convert string to float: "3,5"',
    "[Errno 2] No such file or directory: 'data/train.csv'",
    'invalid syntax (<ipython-input-3-1c2b>, line 1)',
    'object at 0x7f3a2b1c is not callable',
    'shapes (3,4) and (5,) not aligned: 4 (dim 1) != 5 (dim 0)',
    'cannot open C:\\Users\\kim\\data.csv or /home/kim/x.csv=2',
    "invalid literal for int() with base 10: 'abc\\'d'",
    'value 1.5e-3 out of range [-2, 2.5]; x1 x_2 a3.4 12abc',
  ];
  for (const m of messages) assert.is(errorSignature('E', m), reference('E', m), m);
});

it('only the first non-blank line is read, and only its first 500 characters', () => {
  assert.is(errorSignature('E', '\n  \n  x = 5  \nnext'), 'E: x = …');
  const long = `${'a'.repeat(MAX_SCANNED_CHARS - 2)} '${'b'.repeat(100)}'`;
  assert.is(errorSignature('E', long), `E: ${'a'.repeat(196)}…`);
});

it.run();
