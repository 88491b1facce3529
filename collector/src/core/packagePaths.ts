/**
 * Files the collector reads from outside its own folder — the built dashboard — are found in the
 * repository when run from a checkout, and in `packaged/` (the copy `npm pack` puts into the
 * tarball: scripts/pack.mjs) when installed as a package. (The migrations are compiled into dist/.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the nearest package.json above `file`. */
function packageDirOf(file: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${file}`);
  }
}

/**
 * The collector package's folder (collector/ in the repository, the installed package otherwise):
 * the nearest package.json above this code, which is src/core/ in the sources and dist/ compiled.
 */
export const PACKAGE_DIR = packageDirOf(fileURLToPath(import.meta.url));

/** True when this code is the compiled collector (dist/*.mjs, scripts/build.mjs), not the TypeScript sources. */
export const COMPILED = !import.meta.url.endsWith('.ts');

/** `repoPath` (relative to the repository root), unless only `packaged/<packagedPath>` exists. */
export function repoOrPackaged(repoPath: string, packagedPath: string): string {
  const inRepo = path.resolve(PACKAGE_DIR, '..', repoPath);
  const inPackage = path.join(PACKAGE_DIR, 'packaged', packagedPath);
  return !fs.existsSync(inRepo) && fs.existsSync(inPackage) ? inPackage : inRepo;
}

/**
 * The Node options of a worker thread: the parent's, plus --enable-source-maps when the parent has
 * source maps on (the compiled package's bin turns them on with process.setSourceMapsEnabled, which
 * a worker does not inherit), so the pipeline and bcrypt threads' stack traces name .ts lines too.
 */
export function workerExecArgv(): string[] {
  return process.sourceMapsEnabled && !process.execArgv.includes('--enable-source-maps') ? [...process.execArgv, '--enable-source-maps'] : process.execArgv;
}
