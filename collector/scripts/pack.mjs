#!/usr/bin/env node
// `npm pack -w collector` makes a tarball that installs on its own (`npm install -g x.tgz`) and runs
// compiled JavaScript, no TypeScript loader:
//   prepack   compiles the collector, @cell-monitor/shared (a workspace, not on npm) and the
//             migrations into dist/ (scripts/build.mjs: ES modules with source maps), and copies
//             the built dashboard (../dashboard/dist, built first if missing) → packaged/dashboard;
//   postpack  removes dist/ and packaged/ again, so the working tree runs the live sources.
// The runtime looks for the dashboard in the repository first and in packaged/ second
// (src/core/packagePaths.ts); bin/cell-monitor-collector.mjs runs dist/ when it is there.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(here, '..');
const packaged = path.join(here, 'packaged');
const dist = path.join(here, 'dist');

function clean() {
  fs.rmSync(dist, { recursive: true, force: true });
  fs.rmSync(packaged, { recursive: true, force: true });
}

function node(script) {
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${path.relative(repo, script)} failed`);
}

function prepack() {
  clean();
  node(path.join(here, 'scripts/build.mjs'));
  const dashboard = path.join(repo, 'dashboard/dist');
  if (!fs.existsSync(path.join(dashboard, 'index.html'))) node(path.join(repo, 'dashboard/scripts/build.mjs'));
  fs.cpSync(dashboard, path.join(packaged, 'dashboard'), { recursive: true });
}

const step = process.argv[2];
if (step === 'prepack') prepack();
else if (step === 'postpack') clean();
else {
  process.stderr.write('usage: pack.mjs prepack|postpack\n');
  process.exit(2);
}
