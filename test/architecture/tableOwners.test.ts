/**
 * One owner per table (issue 19): every table of the registry (privacy/registry.ts, composed from
 * each owner folder's tables.ts) is named in a query only by files of its owner folder. Read with
 * TypeScript's parser from every source file under collector/src (migrations live outside it), so
 * comments and prose never count. A file names a table when a string literal uses it as one:
 *
 * | form                                         | example                                     |
 * |----------------------------------------------|---------------------------------------------|
 * | the first argument of a query-builder call   | `db('t')`, `trx<Row>('t')`, `.from('t')`, `.join('t', …)`, `.into('t')` |
 * | an aliased name                              | `'t as x'` anywhere                          |
 * | raw SQL                                      | `FROM t`, `JOIN t`, `INTO t`, `UPDATE t`     |
 * | a qualified column                           | `'t.column'` (in SQL or a builder's where)   |
 * | a constant holding the name                  | `const TABLE = 't'`                          |
 *
 * Other engineers are moving the remaining queries to their owners: KNOWN_DEBT lists today's
 * remaining file:table pairs. It must only shrink — a new pair fails, and so does a pair that no
 * longer occurs (delete it from the list), so the list cannot go stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ts from 'typescript';
import { OWNED_TABLES, SINKS } from '../../collector/src/privacy/registry.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = 'collector/src';

/** Query-builder methods whose first argument is a table. */
const TABLE_METHODS = new Set(['from', 'into', 'table', 'join', 'innerJoin', 'leftJoin', 'leftOuterJoin', 'rightJoin', 'rightOuterJoin', 'fullOuterJoin', 'crossJoin', 'hasTable', 'db', 'trx', 'knex']);
/** Endings that make `name.ext` a file, not a column. */
const FILE_ENDINGS = new Set(['ts', 'tsx', 'js', 'mjs', 'json', 'ipynb', 'py', 'sqlite', 'md', 'html', 'css']);

/**
 * KNOWN_DEBT: files outside a table's owner that still name it, as `file:table` (file relative to
 * collector/src). It must only shrink: move the query to the owner (a function the file calls)
 * and delete the line. Never add to it.
 */
const KNOWN_DEBT = new Set<string>([
  'classes/classBoundary.ts:class_assignments',
  'classes/retentionScopes.ts:class_assignments',
]);

const tables = new Map(OWNED_TABLES.map((t) => [t.table, t.owner]));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

interface Use {
  file: string;
  table: string;
  how: string;
  line: number;
}

/** Every use of a registered table as a table in `file`'s string literals. */
function tableUses(file: string): Use[] {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const rel = path.relative(path.join(ROOT, SRC), file);
  const uses: Use[] = [];
  const add = (table: string, how: string, node: ts.Node) => {
    if (tables.has(table)) uses.push({ file: rel, table, how, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  /** A whole literal naming a table, alone or aliased: `t`, `t as x`. */
  const named = (s: string) => /^\s*(\w+)\s*$/.exec(s)?.[1];
  /** Table names inside a piece of SQL or a column reference. */
  const inText = (s: string, node: ts.Node) => {
    for (const m of s.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+"?(\w+)"?/g)) add(m[1], 'raw SQL', node);
    for (const m of s.matchAll(/(?<![\w.$/-])(\w+)\.(\w+)\b/g)) if (!FILE_ENDINGS.has(m[2])) add(m[1], `'${m[1]}.${m[2]}'`, node);
    const alias = /^\s*(\w+)\s+as\s+\w+\s*$/i.exec(s);
    if (alias) add(alias[1], `'${s.trim()}'`, node);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      const table = named(node.arguments[0].text);
      const builder = ts.isIdentifier(callee) || (ts.isPropertyAccessExpression(callee) && TABLE_METHODS.has(callee.name.text));
      if (table && builder && !/\bimport\b|\brequire\b/.test(callee.getText())) add(table, `${callee.getText()}('${node.arguments[0].text}')`, node);
    }
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isStringLiteralLike(node.initializer) && tables.has(node.initializer.text)) add(node.initializer.text, `const ${node.name.getText()} = '${node.initializer.text}'`, node);
    if (ts.isStringLiteralLike(node)) inText(node.text, node);
    if (ts.isTemplateExpression(node)) {
      inText(node.head.text, node);
      for (const span of node.templateSpans) inText(span.literal.text, span);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

const folderOf = (rel: string) => (rel.includes('/') ? rel.split('/')[0] : undefined);
const uses = sourceFiles(path.join(ROOT, SRC)).flatMap(tableUses);
const outside = uses.filter((u) => folderOf(u.file) !== tables.get(u.table));
const pairs = new Set(outside.map((u) => `${u.file}:${u.table}`));

/** Uses grouped by table, one line per file with where and how. */
function report(list: Use[]): string {
  const byTable = new Map<string, Map<string, string[]>>();
  for (const u of list) {
    if (!byTable.has(u.table)) byTable.set(u.table, new Map());
    const files = byTable.get(u.table)!;
    if (!files.has(u.file)) files.set(u.file, []);
    files.get(u.file)!.push(`${u.line}: ${u.how}`);
  }
  return [...byTable]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, files]) => `  ${table} (owner ${tables.get(table)}/):\n${[...files].map(([file, where]) => `    ${file} — ${where.slice(0, 3).join('; ')}${where.length > 3 ? ` (+${where.length - 3})` : ''}`).join('\n')}`)
    .join('\n');
}

test('the scan sees real queries (the owners name their own tables)', () => {
  const own = uses.filter((u) => folderOf(u.file) === tables.get(u.table));
  for (const table of ['events', 'students', 'classes', 'help_requests', 'student_environments']) assert.ok(own.some((u) => u.table === table), `no query on ${table} found in its owner folder`);
});

test('every table and sink has an owner folder, which declares it', () => {
  for (const { table, owner } of OWNED_TABLES) {
    const declaration = path.join(ROOT, SRC, owner, 'tables.ts');
    assert.ok(fs.existsSync(declaration), `${owner}/tables.ts (owner of ${table}) is missing`);
    assert.ok(fs.readFileSync(declaration, 'utf8').includes(`table: '${table}'`), `${table} is not declared in ${owner}/tables.ts`);
  }
  for (const { sink } of SINKS) assert.ok(fs.statSync(path.join(ROOT, SRC, sink.owner)).isDirectory(), `the owner of sink ${sink.name}`);
});

test('no file outside a table\'s owner names it in a query (beyond the known debt)', () => {
  const added = outside.filter((u) => !KNOWN_DEBT.has(`${u.file}:${u.table}`));
  assert.ok(added.length === 0, `files outside the owner name its table — call a function of the owner instead:\n${report(added)}`);
});

test('every KNOWN_DEBT entry still occurs (the list only shrinks: a paid debt is deleted from it)', () => {
  const stale = [...KNOWN_DEBT].filter((pair) => !pairs.has(pair));
  assert.equal(stale, [], 'KNOWN_DEBT entries that no longer occur: delete them from the list');
});

test.run();
