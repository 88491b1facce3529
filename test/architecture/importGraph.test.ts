/**
 * The structure the code must keep (STYLE.md 1, docs/ARCHITECTURE.md): three packages in one
 * direction, lab-extension → shared ← collector; inside the collector, folders that depend on
 * each other one way only (no cycle of folders, of any length), and top-level files (main,
 * createCollector, createApp, index) that compose the folders and are imported by none of them;
 * and no cycle of files (of any length) inside the packages listed in FILE_CYCLE_FREE.
 * Imports are read with TypeScript's own pre-processor from every `.ts`, `.tsx`, `.mts` and `.mjs`
 * file: type-only imports count too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ts from 'typescript';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Edge {
  from: string;
  to: string;
}

const SOURCE = /\.(ts|tsx|mts|mjs)$/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every import of every file under `dir`: relative ones resolved to a path, bare ones as written. */
function importsUnder(dir: string): Edge[] {
  return sourceFiles(dir).flatMap((file) => {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    return info.importedFiles.map(({ fileName }) => ({
      from: path.relative(ROOT, file),
      to: fileName.startsWith('.') ? path.relative(ROOT, path.resolve(path.dirname(file), fileName)) : fileName,
    }));
  });
}

const SRC = 'collector/src/';
const folderOf = (file: string): string | undefined => {
  const rest = file.slice(SRC.length).split('/');
  return rest.length > 1 ? rest[0] : undefined;
};

/** The collector's folder graph: folder → the folders it imports, with one file import as the witness. */
function folderGraph(edges: Edge[]): Map<string, Map<string, Edge>> {
  const graph = new Map<string, Map<string, Edge>>();
  for (const edge of edges) {
    if (!edge.to.startsWith(SRC)) continue;
    const from = folderOf(edge.from);
    const to = folderOf(edge.to);
    if (!from || !to || from === to) continue;
    if (!graph.has(from)) graph.set(from, new Map());
    if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, edge);
  }
  return graph;
}

/** A cycle of nodes (folders or files) as a path (first = last), or undefined. Depth-first search with colours. */
function findCycle(graph: Map<string, Map<string, Edge>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return undefined;
}

const collectorEdges = importsUnder(path.join(ROOT, 'collector/src'));

test('the collector has folders and reads them through imports (the check below sees real code)', () => {
  const graph = folderGraph(collectorEdges);
  assert.ok(graph.size >= 8, `expected the collector's folders in the graph, got ${[...graph.keys()].join(', ')}`);
  assert.ok(graph.get('ingest')?.has('buffer'), 'ingest imports buffer (the ack waits for its commit)');
});

test('no two collector folders import each other, directly or around a cycle', () => {
  const graph = folderGraph(collectorEdges);
  const cycle = findCycle(graph);
  const witnesses = cycle?.slice(1).map((to, i) => graph.get(cycle[i])!.get(to)!).map((e) => `  ${e.from} → ${e.to}`);
  assert.is(cycle, undefined, cycle && `folder cycle ${cycle.join(' → ')}:\n${witnesses!.join('\n')}`);
});

test('no file in a collector folder imports a top-level file (those only compose the folders)', () => {
  const upward = collectorEdges.filter((e) => e.to.startsWith(SRC) && folderOf(e.from) && e.to.slice(SRC.length).split('/').length === 1);
  assert.equal(upward.map((e) => `${e.from} → ${e.to}`), []);
});

test('packages go one way: lab-extension → shared ← collector, and dashboard → shared', () => {
  const shared = importsUnder(path.join(ROOT, 'shared/src'));
  const extension = importsUnder(path.join(ROOT, 'lab-extension/src'));
  const dashboard = importsUnder(path.join(ROOT, 'dashboard/src'));
  const crossing = (edges: Edge[], forbidden: RegExp) => edges.filter((e) => forbidden.test(e.to)).map((e) => `${e.from} → ${e.to}`);
  assert.ok(shared.length > 0 && extension.length > 0);
  assert.equal(crossing(shared, /^(collector|lab-extension)\/|^@cell-monitor\/(collector|lab-extension)/), [], 'shared imports only itself and yup');
  // yup (the schema) and diff (jsdiff, the line diff inside a notebook comparison): both run in the browser too.
  assert.equal(shared.filter((e) => !e.to.startsWith('shared/') && e.to !== 'yup' && !(e.to === 'diff' && e.from === 'shared/src/notebookDiff.ts')).map((e) => `${e.from} → ${e.to}`), [], 'shared depends only on yup, and notebookDiff.ts on diff');
  assert.equal(crossing(extension, /^collector\/|^@cell-monitor\/collector/), [], 'the extension never imports the collector');
  assert.equal(crossing(collectorEdges, /^lab-extension\/|^@cell-monitor\/lab-extension/), [], 'the collector never imports the extension');
  assert.ok(dashboard.length > 0);
  assert.equal(crossing(dashboard, /^(collector|lab-extension)\/|^@cell-monitor\/(collector|lab-extension)/), [], 'the dashboard page talks to the collector over HTTP only: it imports shared, never collector code');
  assert.equal(crossing(collectorEdges, /^dashboard\/|^@cell-monitor\/dashboard/), [], 'the collector serves the built page, it never imports its code');
});

/** Packages (source roots) where no file imports itself around a cycle: all four. */
const FILE_CYCLE_FREE = ['collector/src', 'dashboard/src', 'lab-extension/src', 'shared/src'];

/** The file graph under `root`: file → the files it imports (relative imports, resolved as the bundlers do). */
function fileGraph(root: string): Map<string, Map<string, Edge>> {
  const graph = new Map<string, Map<string, Edge>>();
  for (const edge of importsUnder(path.join(ROOT, root))) {
    const to = resolveFile(edge.to);
    if (!graph.has(edge.from)) graph.set(edge.from, new Map());
    if (to?.startsWith(`${root}/`) && !graph.get(edge.from)!.has(to)) graph.get(edge.from)!.set(to, { from: edge.from, to });
  }
  return graph;
}

/** A relative import as the file it names: as written, or with a source extension or an index file added. */
function resolveFile(target: string): string | undefined {
  const candidates = [target, ...['.ts', '.tsx', '.mts', '.mjs'].flatMap((ext) => [`${target}${ext}`, `${target}/index${ext}`])];
  return candidates.find((file) => SOURCE.test(file) && fs.existsSync(path.join(ROOT, file)) && fs.statSync(path.join(ROOT, file)).isFile());
}

test('the file graphs are read from .tsx files too (the page is mostly .tsx)', () => {
  const page = fileGraph('dashboard/src');
  const tsx = [...page.keys()].filter((file) => file.endsWith('.tsx'));
  assert.ok(tsx.length >= 10, `expected the page's .tsx files, got ${tsx.join(', ')}`);
  assert.ok(page.get('dashboard/src/main.tsx')?.has('dashboard/src/App.tsx'), 'main.tsx imports App.tsx');
});

test('the dashboard page reaches the collector through its typed client only (dashboard/src/api/client.ts)', () => {
  const page = fileGraph('dashboard/src');
  const inApi = (file: string) => file.startsWith('dashboard/src/api/');
  const http = [...page].filter(([from, to]) => to.has('dashboard/src/api/http.ts') && from !== 'dashboard/src/api/client.ts').map(([from]) => from);
  assert.equal(http, [], 'only client.ts sends requests: components call client.board(classId) and the like');
  const words = (file: string) => file.startsWith('dashboard/src/words/');
  const raw = [...page.keys()]
    .filter((file) => !inApi(file) && !words(file))
    .filter((file) => /\/api\/v1\/|\bfetch\(|new WebSocket\(/.test(fs.readFileSync(path.join(ROOT, file), 'utf8')));
  assert.equal(raw, [], 'no route URL, fetch or socket outside dashboard/src/api/');
});

for (const root of FILE_CYCLE_FREE) {
  test(`no file in ${root} imports itself around a cycle of imports`, () => {
    const graph = fileGraph(root);
    assert.ok(graph.size > 0, `no source files under ${root}`);
    const cycle = findCycle(graph);
    assert.is(cycle, undefined, cycle && `file cycle ${cycle.join(' → ')}`);
  });
}

test.run();
