#!/usr/bin/env node
// Launcher. The npm package runs the compiled collector (dist/, built by `npm pack`:
// scripts/build.mjs) with its source maps on, so a stack trace names the TypeScript file and line;
// it needs no TypeScript loader. A checkout has no dist/ (pack removes it again): there it runs the
// sources through tsx, a development dependency, as `npm start` does.
import fs from 'node:fs';

// --enable-source-maps, set here because the systemd unit runs `node <this file>` (the shebang's
// flags would not apply) and the worker threads share the setting.
process.setSourceMapsEnabled(true);
const compiled = new URL('../dist/main.mjs', import.meta.url);
if (fs.existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
