#!/usr/bin/env node
// Builds the prebuilt labextension into cell_monitor/labextension with npm alone (no Python).
// @jupyterlab/builder needs --core-path: a folder whose package.json is JupyterLab's core metadata
// (singleton packages and their versions). @jupyterlab/core-meta ships that file as
// core.package.json; it is copied into a scratch folder under the name the builder reads.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(here, 'package.json'));
const coreMeta = path.dirname(require.resolve('@jupyterlab/core-meta/package.json'));
const corePath = path.join(here, 'node_modules', '.core-meta');
fs.mkdirSync(corePath, { recursive: true });
fs.copyFileSync(path.join(coreMeta, 'core.package.json'), path.join(corePath, 'package.json'));

const builder = require.resolve('@jupyterlab/builder/lib/build-labextension.js');
const result = spawnSync(process.execPath, [builder, '--core-path', corePath, ...process.argv.slice(2), here], { stdio: 'inherit', cwd: here });
process.exit(result.status ?? 1);
