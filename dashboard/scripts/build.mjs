#!/usr/bin/env node
// Builds the dashboard into dashboard/dist: index.html, app.js, app.css (no inline script or style,
// so the collector can send a strict Content-Security-Policy). Prints the sizes, gzipped too.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
await esbuild.build({
  entryPoints: { app: path.join(root, 'src/main.tsx') },
  bundle: true,
  format: 'esm',
  target: 'es2021',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: dist,
  loader: { '.css': 'css' },
  logLevel: 'warning',
});
fs.copyFileSync(path.join(root, 'src/index.html'), path.join(dist, 'index.html'));
const files = fs.readdirSync(dist);
const size = (f) => fs.statSync(path.join(dist, f)).size;
const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dist, f))).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const f of files) console.log(`dashboard/dist/${f}: ${kb(size(f))} (${kb(gz(f))} gzipped)`);
console.log(`dashboard bundle: ${kb(files.reduce((s, f) => s + gz(f), 0))} gzipped in all`);
