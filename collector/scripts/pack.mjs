#!/usr/bin/env node
// `npm pack -w collector` makes a tarball that installs on its own (`npm install -g x.tgz`):
//   prepack   copies what lives outside this folder into it —
//             ../shared → node_modules/@cell-monitor/shared (bundleDependencies: the workspace
//             package is not on npm; its yup and diff are the collector's), ../migrations → packaged/migrations, the built dashboard
//             (../dashboard/dist, built first if missing) → packaged/dashboard;
//   postpack  removes those copies again, so the working tree resolves the live sources.
// The runtime looks in the repository first and in packaged/ second (src/core/packagePaths.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(here, '..');
const sharedCopy = path.join(here, 'node_modules/@cell-monitor/shared');
const packaged = path.join(here, 'packaged');

function clean() {
  fs.rmSync(sharedCopy, { recursive: true, force: true });
  fs.rmSync(packaged, { recursive: true, force: true });
  for (const dir of [path.dirname(sharedCopy), path.join(here, 'node_modules')]) {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
}

function prepack() {
  clean();
  fs.mkdirSync(sharedCopy, { recursive: true });
  // Without its dependencies (yup): npm would take them for bundled too and leave them empty; the
  // collector depends on yup itself, so the copy's `import 'yup'` finds the collector's.
  const { dependencies, ...sharedPackage } = JSON.parse(fs.readFileSync(path.join(repo, 'shared/package.json'), 'utf8'));
  // So every dependency of shared must be one of the collector's too, or the installed bin fails
  // on its first import of it (as it did for `diff`): refuse to pack rather than ship that.
  const own = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8')).dependencies ?? {};
  const missing = Object.entries(dependencies ?? {}).filter(([name, range]) => own[name] !== range);
  if (missing.length > 0) {
    throw new Error(`collector/package.json must depend on what shared depends on: ${missing.map(([n, r]) => `${n}@${r}`).join(', ')}`);
  }
  fs.writeFileSync(path.join(sharedCopy, 'package.json'), `${JSON.stringify(sharedPackage, null, 2)}\n`);
  fs.cpSync(path.join(repo, 'shared/src'), path.join(sharedCopy, 'src'), { recursive: true });
  fs.cpSync(path.join(repo, 'migrations'), path.join(packaged, 'migrations'), { recursive: true, filter: (f) => !f.endsWith('.test.ts') });
  const dist = path.join(repo, 'dashboard/dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    const built = spawnSync(process.execPath, [path.join(repo, 'dashboard/scripts/build.mjs')], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('the dashboard build failed');
  }
  fs.cpSync(dist, path.join(packaged, 'dashboard'), { recursive: true });
}

const step = process.argv[2];
if (step === 'prepack') prepack();
else if (step === 'postpack') clean();
else {
  process.stderr.write('usage: pack.mjs prepack|postpack\n');
  process.exit(2);
}
