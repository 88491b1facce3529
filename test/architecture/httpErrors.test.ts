/**
 * One way to make an HTTP error (issue 19): routes and guards throw `errors.*` from
 * collector/src/http/errors.ts, so one status always has one shape of id, message and headers.
 * `new HttpError(` anywhere else in the collector fails here, naming the place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(ROOT, 'collector/src');
const HOME = path.join(SRC, 'http/errors.ts');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

test('no collector file but http/errors.ts constructs an HttpError', () => {
  const places = files(SRC)
    .filter((file) => file !== HOME)
    .flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (/new\s+HttpError\s*\(/.test(line) ? [`${path.relative(ROOT, file)}:${i + 1}`] : [])));
  assert.equal(places, [], `use errors.* from http/errors.ts instead:\n${places.join('\n')}`);
});

test('the check sees a construction (it would catch one)', () => {
  assert.ok(/new\s+HttpError\s*\(/.test(fs.readFileSync(HOME, 'utf8')), 'http/errors.ts itself constructs them');
});

test.run();
