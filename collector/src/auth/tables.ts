/**
 * The tables auth owns: instructors' revoked login tokens, and per-student credential revocations —
 * those name a student by a keyed hash of her user name, not by name, so a revocation outlives her
 * erasure without naming her (no personal data to export or erase).
 */
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  { table: 'revoked_tokens', owner: 'auth', refersTo: ['instructors'] },
  { table: 'credential_revocations', owner: 'auth' },
];
