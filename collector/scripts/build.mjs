#!/usr/bin/env node
// Compiles the collector for its npm package (`npm pack -w collector` runs it: scripts/pack.mjs):
// ESM bundles with source maps in dist/, so the installed daemon loads JavaScript and no TypeScript
// loader (tsx is a development dependency only). From a checkout, `npm start` and the tests still
// run the sources through tsx.
//
//   dist/main.mjs            the command line (src/main.ts)
//   dist/worker.mjs          the pipeline thread (src/pipeline/pipelineThread.ts); startPipeline.ts
//                            opens `./worker.mjs` next to itself, the tsx shim in src/, this in dist/
//   dist/hashWorker.mjs      the bcrypt thread (piscina), likewise
//   dist/migrations/*.mjs    one per migration in ../migrations (db/migrationSource.ts)
//   dist/<name>-<hash>.mjs   code the entries share (in dist/ itself, so `./worker.mjs` resolves)
//
// @cell-monitor/shared (a workspace, not on npm) is compiled in; every other package stays an
// import of the installed node_modules (better-sqlite3 is native, pino and piscina load files of
// their own) and must be one of the collector's dependencies — checked here, not at a user's start.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(here, '..');
const dist = path.join(here, 'dist');
const manifest = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));

/** A bare import's package name: `pino/file` → pino, `@koa/router` → @koa/router. */
const packageOf = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

const migrations = fs.readdirSync(path.join(repo, 'migrations')).filter((f) => /^\d{14}_[a-z0-9_]+\.ts$/.test(f));
const entryPoints = {
  main: path.join(here, 'src/main.ts'),
  worker: path.join(here, 'src/pipeline/pipelineThread.ts'),
  hashWorker: path.join(here, 'src/auth/hashWorker.mjs'),
  ...Object.fromEntries(migrations.map((f) => [`migrations/${f.replace(/\.ts$/, '')}`, path.join(repo, 'migrations', f)])),
};

const externals = new Set();
const nodeModulesStayExternal = {
  name: 'node-modules-stay-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { external: true };
      if (packageOf(args.path) === '@cell-monitor/shared') return undefined; // compiled in
      externals.add(packageOf(args.path));
      return { external: true };
    });
  },
};

fs.rmSync(dist, { recursive: true, force: true });
await esbuild.build({
  entryPoints,
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  sourcemap: true,
  // Stack traces need the mappings only: leaving the sources out keeps the maps a third the size
  // (Node parses them at start with source maps on).
  sourcesContent: false,
  plugins: [nodeModulesStayExternal],
  logLevel: 'warning',
});

const declared = new Set(Object.keys(manifest.dependencies ?? {}));
const undeclared = [...externals].filter((name) => !declared.has(name)).sort();
if (undeclared.length > 0) {
  fs.rmSync(dist, { recursive: true, force: true });
  throw new Error(`the compiled collector imports packages collector/package.json does not depend on: ${undeclared.join(', ')}`);
}
