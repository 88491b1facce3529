/**
 * What every route file is given: the store and its logger. A route file that needs more says so
 * in its own parameter type (`RouteParts & { … }`), so no route file imports the composer
 * (routes.ts) and each declares exactly the capabilities it uses.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.ts';

export interface RouteParts {
  db: Knex;
  log: Logger;
}
