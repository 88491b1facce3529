/**
 * The dashboard page: the files `npm run build:dashboard` wrote to dashboard/dist, served at `/`
 * (index.html) and `/<file>`. One public route per file found at start, never a pattern, so no
 * request can name a path outside the folder. A strict Content-Security-Policy: the page runs only
 * its own script, talks only to this collector, and cannot be framed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.ts';
import { repoOrPackaged } from '../core/packagePaths.ts';
import { errors } from './errors.ts';
import { type Ctx, type RouteTable } from './routeTable.ts';

export const DASHBOARD_DIST = repoOrPackaged('dashboard/dist', 'dashboard');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-cache',
};

function send(ctx: Ctx, file: string): void {
  ctx.set(PAGE_HEADERS);
  ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  ctx.body = fs.createReadStream(file);
}

export function addPageRoutes(table: RouteTable, options: { dir?: string; log: Logger }): void {
  const dir = options.dir ?? DASHBOARD_DIST;
  const files = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile() && TYPES[path.extname(f.name)]) : [];
  const index = files.some((f) => f.name === 'index.html');
  if (!index) options.log.warn({ dir }, 'dashboard not built: / answers 503 (npm run build:dashboard)');

  table.add({
    method: 'get', path: '/', access: 'public', tag: 'dashboard', summary: 'The instructor dashboard (sign in with an instructor account)',
    responses: { 200: 'the page', 503: 'the dashboard was not built' },
    handler: (ctx) => {
      if (!index) throw errors.unavailable('dashboard_not_built', 'the dashboard was not built: run npm run build:dashboard (npm start does it)', 60);
      send(ctx, path.join(dir, 'index.html'));
    },
  });
  for (const file of files) {
    if (file.name === 'index.html') continue;
    table.add({
      method: 'get', path: `/${file.name}`, access: 'public', tag: 'dashboard', summary: `Dashboard asset ${file.name}`,
      responses: { 200: 'the file' },
      handler: (ctx) => send(ctx, path.join(dir, file.name)),
    });
  }
}
