/**
 * A class roster: CSV read line by line with a reason for every bad line (`parseRoster`, pure), the
 * plan of what importing it would change or the import in one transaction (`importRoster`: a preview
 * writes nothing; bad lines skipped, re-import updates rather than duplicates), one line changed
 * (`changeRosterLine`), and the roster back out as CSV. Teams (teams.ts) are per class and created
 * by name as lines name them. Names and emails are the enrolment's (enrolments.ts): a roster writes
 * and shows only what its class knows; a new student's global row gets the line's name and email
 * once, when it is created (students/store.ts).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Knex } from 'knex';
import {
  ROSTER_COLUMNS,
  ROSTER_HEADER_ALIASES,
  ROSTER_MAX_ROWS,
  type RosterColumn,
  type RosterEntry,
  type RosterImportResult,
  type RosterPreviewRow,
  type RosterRowError,
  type RosterStudent,
  type RosterView,
} from '@cell-monitor/shared';
import { writeTransaction } from '../db/createDb.ts';
import { now } from '../db/rows.ts';
import { errors as httpErrors } from '../http/errors.ts';
import { normaliseUserId, userIdProblem } from '@cell-monitor/shared';
import { insertStudent, joinStudents, studentIdsOf } from '../students/store.ts';
import { createTeam, readTeams, teamIdFor, teamIdsByName } from './teams.ts';

const MAX = { user_id: 255, name: 100, email: 255, team: 100, student_number: 64 } as const;
/** A Jupyter / JupyterHub user name: no spaces, control characters or slashes. */
const USER_ID = /^[^\s/\\\u0000-\u001f\u007f]+$/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ParsedRoster {
  /** The columns the file has (team / student_number absent: left as they are on import). */
  columns: Set<RosterColumn>;
  entries: Array<RosterEntry & { line: number }>;
  errors: RosterRowError[];
  lines: number;
}

function headerKey(cell: string): string {
  return cell.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** The CSV as roster lines; a header naming a user-id column is required (422 otherwise). */
export function parseRoster(csv: string): ParsedRoster {
  const firstLine = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(csv, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as never;
  } catch (err) {
    throw httpErrors.unprocessable('roster_unreadable', `the file is not readable as CSV: ${(err as Error).message.slice(0, 200)}`);
  }
  if (records.length === 0) throw httpErrors.unprocessable('roster_empty', 'the file has no lines');
  const header = records[0].record.map(headerKey).map((h) => ROSTER_HEADER_ALIASES[h] ?? null);
  if (!header.includes('user_id')) {
    throw httpErrors.unprocessable('roster_header_missing', 'the first line must name the columns, with one for the Jupyter user name: user_id (or username, login), and optionally name, email, team, student_number');
  }
  if (records.length - 1 > ROSTER_MAX_ROWS) throw httpErrors.unprocessable('roster_too_large', `a roster may have at most ${ROSTER_MAX_ROWS} lines`);
  const columns = new Set(header.filter((h): h is RosterColumn => h !== null));
  const entries: ParsedRoster['entries'] = [];
  const errors: RosterRowError[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      errors.push({ line, field: null, error: 'wrong_column_count', message: `line ${line} has ${record.length} fields; the header has ${header.length}` });
      continue;
    }
    const value = (column: RosterColumn): string | null => {
      const index = header.indexOf(column);
      const text = index < 0 ? '' : record[index].trim();
      // Undo the quote an export put before a formula-like cell (see safeCell).
      return text === '' ? null : /^'[=+\-@]/.test(text) ? text.slice(1) : text;
    };
    const entry: RosterEntry & { line: number } = { line, userId: normaliseUserId(value('user_id') ?? ''), name: value('name'), email: value('email')?.toLowerCase() ?? null, team: value('team'), studentNumber: value('student_number') };
    const problem = checkEntry(entry, line);
    if (problem) {
      errors.push(problem);
      continue;
    }
    const earlier = seen.get(entry.userId);
    if (earlier !== undefined) {
      errors.push({ line, field: 'user_id', error: 'duplicate_user_id', message: `${entry.userId} is already on line ${earlier}` });
      continue;
    }
    seen.set(entry.userId, line);
    entries.push(entry);
  }
  return { columns, entries, errors, lines: records.length - 1 };
}

function checkEntry(entry: RosterEntry, line: number): RosterRowError | null {
  if (!entry.userId) return { line, field: 'user_id', error: 'missing_user_id', message: `line ${line} has no user name` };
  if (!USER_ID.test(entry.userId) || userIdProblem(entry.userId)) return { line, field: 'user_id', error: 'invalid_user_id', message: `line ${line}: a user name has no spaces, slashes or control characters` };
  if (entry.email !== null && !EMAIL.test(entry.email)) return { line, field: 'email', error: 'invalid_email', message: `line ${line}: "${entry.email.slice(0, 80)}" is not an email address` };
  const fields: Array<[RosterColumn, string | null]> = [['user_id', entry.userId], ['name', entry.name], ['email', entry.email], ['team', entry.team], ['student_number', entry.studentNumber]];
  for (const [field, text] of fields) {
    if (text !== null && [...text].length > MAX[field]) return { line, field, error: 'too_long', message: `line ${line}: ${field} is longer than ${MAX[field]} characters` };
  }
  return null;
}

interface Current {
  students: Map<string, { id: number }>;
  enrolled: Map<string, { name: string | null; email: string | null; team: string | null; studentNumber: string | null }>;
  teams: Map<string, number>;
}

async function readCurrent(db: Knex, classId: number, userIds: string[]): Promise<Current> {
  const students = new Map([...(await studentIdsOf(db, userIds))].map(([userId, id]) => [userId, { id }]));
  const enrolledRows: Array<{ user_id: string; display_name: string | null; email: string | null; team: string | null; student_number: string | null }> = await db('class_enrollments as e')
    .modify(joinStudents, 's', 'e.student_id')
    .leftJoin('class_teams as t', 't.id', 'e.team_id')
    .where('e.class_id', classId)
    .select('s.user_id', 'e.display_name', 'e.email', 't.name as team', 'e.student_number');
  return {
    students,
    enrolled: new Map(enrolledRows.map((r) => [r.user_id, { name: r.display_name, email: r.email, team: r.team, studentNumber: r.student_number }])),
    teams: await teamIdsByName(db, classId),
  };
}

/** What the entry changes: absent columns and empty name/email keep what is stored. */
function plan(entry: RosterEntry, columns: Set<RosterColumn>, current: Current): Pick<RosterPreviewRow, 'action' | 'changes'> {
  const student = current.students.get(entry.userId);
  if (!student) return { action: 'create', changes: [] };
  const enrolment = current.enrolled.get(entry.userId);
  if (!enrolment) return { action: 'enroll', changes: [] };
  const changes: RosterColumn[] = [];
  if (entry.name !== null && entry.name !== enrolment.name) changes.push('name');
  if (entry.email !== null && entry.email !== enrolment.email) changes.push('email');
  if (columns.has('team') && entry.team !== enrolment.team) changes.push('team');
  if (columns.has('student_number') && entry.studentNumber !== enrolment.studentNumber) changes.push('student_number');
  return { action: changes.length ? 'update' : 'unchanged', changes };
}

/** Previews (apply=false: nothing written) or imports the valid lines of a roster in one transaction. */
export async function importRoster(db: Knex, classId: number, parsed: ParsedRoster, apply: boolean): Promise<RosterImportResult> {
  const run = async (q: Knex): Promise<RosterImportResult> => {
    const current = await readCurrent(q, classId, parsed.entries.map((e) => e.userId));
    const rows: RosterPreviewRow[] = parsed.entries.map(({ line, ...entry }) => ({ line, ...entry, ...plan(entry, parsed.columns, current) }));
    const listed = new Set(rows.map((r) => r.userId));
    const newTeams = [...new Set(rows.map((r) => r.team).filter((t): t is string => t !== null && !current.teams.has(t)))];
    if (apply) await write(q as Knex.Transaction, classId, rows, parsed.columns, current, newTeams);
    const count = (action: string) => rows.filter((r) => r.action === action).length;
    return {
      classId,
      applied: apply,
      rows,
      errors: parsed.errors,
      summary: { lines: parsed.lines, valid: rows.length, invalid: parsed.errors.length, create: count('create'), enroll: count('enroll'), update: count('update'), unchanged: count('unchanged') },
      newTeams,
      notInFile: [...current.enrolled.keys()].filter((id) => !listed.has(id)).sort(),
    };
  };
  return apply ? writeTransaction(db, run) : run(db);
}

async function write(trx: Knex.Transaction, classId: number, rows: RosterPreviewRow[], columns: Set<RosterColumn>, current: Current, newTeams: string[]): Promise<void> {
  const at = now();
  for (const name of newTeams) current.teams.set(name, await createTeam(trx, classId, name, at));
  for (const row of rows) {
    if (row.action === 'unchanged') continue;
    let studentId = current.students.get(row.userId)?.id;
    studentId ??= await insertStudent(trx, { userId: row.userId, name: row.name, email: row.email, createdAt: at });
    const classFields = {
      ...(row.name !== null ? { display_name: row.name } : {}),
      ...(row.email !== null ? { email: row.email } : {}),
      ...(columns.has('team') ? { team_id: row.team === null ? null : current.teams.get(row.team)! } : {}),
      ...(columns.has('student_number') ? { student_number: row.studentNumber } : {}),
    };
    if (row.action === 'create' || row.action === 'enroll') {
      await trx('class_enrollments').insert({ class_id: classId, student_id: studentId, enrolled_at: at, ...classFields });
    } else if (Object.keys(classFields).length) {
      await trx('class_enrollments').where({ class_id: classId, student_id: studentId }).update(classFields);
    }
  }
}

/** The class's roster and teams, ordered by team then name. */
export async function readRoster(db: Knex, classId: number): Promise<RosterView> {
  const rows: Array<{ id: number; user_id: string; name: string | null; email: string | null; team: string | null; student_number: string | null }> = await db('class_enrollments as e')
    .modify(joinStudents, 's', 'e.student_id')
    .leftJoin('class_teams as t', 't.id', 'e.team_id')
    .where('e.class_id', classId)
    .select('s.id', 's.user_id', 'e.display_name as name', 'e.email', 't.name as team', 'e.student_number');
  const students: RosterStudent[] = rows
    .map((r) => ({ studentId: r.id, userId: r.user_id, name: r.name, email: r.email, team: r.team, studentNumber: r.student_number }))
    .sort((a, b) => (a.team ?? '\uffff').localeCompare(b.team ?? '\uffff', 'ja', { numeric: true }) || (a.name ?? a.userId).localeCompare(b.name ?? b.userId, 'ja', { numeric: true }));
  return { classId, students, teams: await readTeams(db, classId) };
}

/** A cell Excel or LibreOffice would run as a formula is prefixed with a quote (CSV injection). */
export const safeCell = (text: string | null): string => (text === null ? '' : /^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

export function rosterCsv(roster: RosterView): string {
  return stringify([[...ROSTER_COLUMNS], ...roster.students.map((s) => [s.userId, s.name, s.email, s.team, s.studentNumber].map(safeCell))], { bom: true, record_delimiter: 'windows' });
}

/**
 * Changes one enrolled student's line: this class's name for her (other classes keep theirs), her
 * team (by name, created if new; null for none) and student number (empty: none). Her student id,
 * or undefined when she is not enrolled in the class.
 */
export async function changeRosterLine(db: Knex, classId: number, userId: string, change: { name?: string; team?: string | null; studentNumber?: string | null }): Promise<number | undefined> {
  const enrolment = await db('class_enrollments as e').modify(joinStudents, 's', 'e.student_id').where({ 'e.class_id': classId, 's.user_id': userId }).first('e.id', 's.id as student_id');
  if (!enrolment) return undefined;
  await writeTransaction(db, async (trx) => {
    const fields: Record<string, unknown> = {};
    if (change.name !== undefined) fields.display_name = change.name;
    if (change.studentNumber !== undefined) fields.student_number = change.studentNumber || null;
    if (change.team !== undefined) fields.team_id = change.team === null ? null : await teamIdFor(trx, classId, change.team);
    if (Object.keys(fields).length) await trx('class_enrollments').where({ id: enrolment.id }).update(fields);
  });
  return enrolment.student_id;
}
