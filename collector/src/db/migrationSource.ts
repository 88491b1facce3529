import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { COMPILED, PACKAGE_DIR } from '../core/packagePaths.ts';

// The sources load the repository's migrations/*.ts; the compiled collector its dist/migrations/*.mjs
// (collector/scripts/build.mjs). A migration keeps its .ts name either way: it is the name knex
// records in knex_migrations, so a store migrated by one runs under the other.
const MIGRATIONS_DIR = COMPILED ? path.join(PACKAGE_DIR, 'dist/migrations') : path.resolve(PACKAGE_DIR, '../migrations');
const fileOf = (name: string) => (COMPILED ? name.replace(/\.ts$/, '.mjs') : name);

interface MigrationModule {
  up: (knex: Knex) => Promise<void>;
  down: (knex: Knex) => Promise<void>;
}

/** The timestamped migrations of the repository's `migrations/` folder (compiled or not), in name order. */
export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((f) => (COMPILED ? /^\d{14}_[a-z0-9_]+\.mjs$/ : /^\d{14}_[a-z0-9_]+\.ts$/).test(f))
      .map((f) => f.replace(/\.mjs$/, '.ts'))
      .sort();
  },
  getMigrationName: (name) => name,
  async getMigration(name) {
    return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, fileOf(name))).href)) as MigrationModule;
  },
};
