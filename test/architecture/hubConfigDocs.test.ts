/**
 * The README's JupyterHub section quotes docs/jupyterhub_config.py, the file the hub E2E runs
 * (test/helpers/jupyterhub.ts): an admin copies exactly what was tested. Editing one without the
 * other fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FRAGMENT = fs.readFileSync(path.join(ROOT, 'docs/jupyterhub_config.py'), 'utf8');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test("the README's JupyterHub section quotes the tested jupyterhub_config.py fragment verbatim", () => {
  const section = README.slice(README.indexOf('\n## JupyterHub\n'));
  assert.ok(section.length < README.length, 'a "## JupyterHub" section');
  const blocks = [...section.slice(0, section.indexOf('\n## ', 1)).matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks, [FRAGMENT]);
});

test('the hub E2E runs that file (not a copy of its lines)', () => {
  const helper = fs.readFileSync(path.join(ROOT, 'test/helpers/jupyterhub.ts'), 'utf8');
  assert.ok(helper.includes("path.join(ROOT, 'docs/jupyterhub_config.py')"));
  assert.not.ok(helper.includes('spawner_environment('), 'the helper does not set the credentials itself');
});

test('the fragment holds no test-only setting and no secret', () => {
  assert.not.match(FRAGMENT, /authenticator_class|spawner_class|127\.0\.0\.1|\bport\b|allow_all/);
  assert.match(FRAGMENT, /os\.environ\["CELL_MONITOR_MASTER_KEY"\]/);
});

test.run();
