/**
 * A class roster as the dashboard and the API exchange it: CSV in (previewed before anything is
 * written), CSV out, and the teams of a class. No dependency: the dashboard page bundles it.
 */

/** The CSV columns, in export order. Import also takes the aliases in ROSTER_HEADER_ALIASES. */
export const ROSTER_COLUMNS = ['user_id', 'name', 'email', 'team', 'student_number'] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];

/** Header names accepted on import (lower-cased, spaces and hyphens as underscores) → column. */
export const ROSTER_HEADER_ALIASES: Readonly<Record<string, RosterColumn>> = {
  user_id: 'user_id', userid: 'user_id', user: 'user_id', username: 'user_id', user_name: 'user_id', login: 'user_id', jupyter_user: 'user_id', jupyterhub_user: 'user_id', hub_user: 'user_id', 'ユーザー名': 'user_id', 'ユーザid': 'user_id', 'ユーザーid': 'user_id',
  name: 'name', display_name: 'name', full_name: 'name', student_name: 'name', '氏名': 'name', '名前': 'name', '表示名': 'name',
  email: 'email', email_address: 'email', mail: 'email', e_mail: 'email', 'メール': 'email', 'メールアドレス': 'email',
  team: 'team', team_name: 'team', group: 'team', 'チーム': 'team', 'チーム名': 'team', 'グループ': 'team',
  student_number: 'student_number', student_no: 'student_number', student_id: 'student_number', number: 'student_number', '学籍番号': 'student_number', '番号': 'student_number',
};

/** Largest roster one import takes (rows) and its CSV size. */
export const ROSTER_MAX_ROWS = 5_000;
export const ROSTER_MAX_BYTES = 1_000_000;

export interface RosterEntry {
  userId: string;
  name: string | null;
  email: string | null;
  team: string | null;
  studentNumber: string | null;
}

/** What importing a line does: a new student, an existing student joining the class, a changed line, or nothing. */
export type RosterAction = 'create' | 'enroll' | 'update' | 'unchanged';

export interface RosterPreviewRow extends RosterEntry {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  action: RosterAction;
  /** For `update`: which fields change. */
  changes: RosterColumn[];
}

export interface RosterRowError {
  line: number;
  /** The column at fault, or null for the whole line. */
  field: RosterColumn | null;
  error: 'missing_user_id' | 'invalid_user_id' | 'invalid_email' | 'too_long' | 'duplicate_user_id' | 'wrong_column_count';
  message: string;
}

/** The answer to an import: with `applied: false` a preview (nothing written). */
export interface RosterImportResult {
  classId: number;
  applied: boolean;
  rows: RosterPreviewRow[];
  errors: RosterRowError[];
  summary: { lines: number; valid: number; invalid: number; create: number; enroll: number; update: number; unchanged: number };
  /** Teams the import creates. */
  newTeams: string[];
  /** Enrolled students the file does not list (left enrolled; shown so the instructor can decide). */
  notInFile: string[];
}

/** A roster import request: the CSV text; `apply` writes the valid lines (bad lines are skipped and reported). */
export interface RosterImportRequest {
  csv: string;
  apply?: boolean;
}

export interface TeamView {
  id: number;
  name: string;
  members: string[];
}

export interface RosterStudent extends RosterEntry {
  studentId: number;
}

/** GET /api/v1/classes/:id/roster */
export interface RosterView {
  classId: number;
  students: RosterStudent[];
  teams: TeamView[];
}

/** Where a team or one student sits on the classroom image: x and y are fractions (0–1) of its width and height. */
export interface SeatPlacement {
  kind: 'team' | 'student';
  /** The team's name or the student's user name. */
  key: string;
  x: number;
  y: number;
}

export const SEAT_MAP_IMAGE_TYPES = ['image/png', 'image/jpeg'] as const;
export const SEAT_MAP_MAX_BYTES = 5 * 1024 * 1024;
export const SEAT_MAP_MAX_PLACEMENTS = 1_000;

/** GET /api/v1/classes/:id/seat-map */
export interface SeatMapView {
  classId: number;
  /** null: no image uploaded yet. The bytes are at /api/v1/classes/:id/seat-map/image. */
  image: { type: string; width: number; height: number; bytes: number; updatedAt: string } | null;
  placements: SeatPlacement[];
}

/** A student's Python environment as their kernel reported it when it started (deduplicated per student). */
export interface EnvironmentSnapshot {
  id: number;
  userId: string;
  python: string;
  implementation: string;
  platform: string;
  kernelName: string | null;
  packageCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  /** name → version; left out of lists. */
  packages?: Record<string, string>;
}

export interface PackageRequirement {
  name: string;
  /** PEP 440-like: `>=2`, `==1.26.4`, `>=1.3,<2`; empty: installed at all. */
  spec: string;
}

export interface EnvironmentProblem {
  package: string;
  required: string;
  found: string | null;
  kind: 'missing' | 'wrong_version';
}

/** GET /api/v1/classes/:id/environment/analyze */
export interface EnvironmentAnalysis {
  classId: number;
  requirements: PackageRequirement[];
  students: Array<{ userId: string; displayName: string; seenAt: string | null; python: string | null; problems: EnvironmentProblem[] }>;
  /** One line per requirement some students fail: "4 students lack pandas >=2". */
  summary: Array<{ package: string; required: string; missing: number; wrongVersion: number; unknown: number }>;
}
