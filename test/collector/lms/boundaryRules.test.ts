/**
 * The class boundary has three forms (lms/classBoundary.ts): `withinClasses` (SQL, per row),
 * `visibleSince` (SQL, per enrolment for one notebook) and `classesShowing` (in memory, the live
 * board). On random enrolments, assignments and rows, on both engines, all three must say the same
 * for every row and class — and for an instructor, the union of the classes they teach.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createDb, migrateLatest } from '../../../collector/src/db/createDb.ts';
import { classesShowing, loadBoundarySnapshot, visibleSince, withinClasses, type ClassesFor } from '../../../collector/src/classes/classBoundary.ts';
import { iso } from '../../../collector/src/db/rows.ts';
import { modesToTest, startServices, type Services } from '../../helpers/stack.ts';
import { seededRandom } from '../../helpers/random.ts';

const CLASSES = 5;
const STUDENTS = 12;
const PATHS = ['a.ipynb', 'b.ipynb', 'c.ipynb', 'd.ipynb', null];
const T0 = Date.UTC(2026, 10, 30, 9);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

for (const mode of modesToTest()) {
  const it = suite(`class boundary: the SQL and in-memory forms agree [${mode}]`);
  let services: Services;

  it.before(async () => {
    services = await startServices(mode);
  });
  it.after(async () => {
    await services.stop();
  });

  it('every row, every class and every instructor, over three random worlds', async () => {
    for (const seed of [1, 2, 3]) {
      const r = seededRandom(seed * 7919);
      const db = createDb(services.databaseUrl);
      try {
        await migrateLatest(db);
        for (const table of ['help_requests', 'class_teachers', 'class_assignments', 'class_enrollments', 'classes', 'students', 'instructors']) await db(table).delete();
        const now = new Date().toISOString();
        for (let c = 1; c <= CLASSES; c++) await db('classes').insert({ id: c, name: `C${c}`, class_code: `S${seed}C${c}`, created_at: now, updated_at: now });
        for (let i = 1; i <= 3; i++) await db('instructors').insert({ id: i, email: `i${i}@example.org`, name: `I${i}`, password_hash: 'x', role: 'instructor', created_at: now, updated_at: now });
        for (let c = 1; c <= CLASSES; c++) for (let i = 1; i <= 3; i++) if (r() < 0.4) await db('class_teachers').insert({ class_id: c, instructor_id: i, role: 'owner', added_at: now });
        for (let c = 1; c <= CLASSES; c++) for (const path of PATHS) if (path && r() < 0.3) await db('class_assignments').insert({ class_id: c, notebook_path: path, title: path, created_at: now, updated_at: now });
        for (let s = 1; s <= STUDENTS; s++) {
          await db('students').insert({ id: s, user_id: `u${s}`, created_at: now });
          for (let c = 1; c <= CLASSES; c++) if (r() < 0.45) await db('class_enrollments').insert({ class_id: c, student_id: s, enrolled_at: at(Math.floor(r() * 100)) });
        }
        const rows: Array<{ id: number; student: number; time: string; path: string | null }> = [];
        for (let i = 1; i <= 300; i++) {
          const row = { id: i, student: 1 + Math.floor(r() * STUDENTS), time: at(Math.floor(r() * 120)), path: PATHS[Math.floor(r() * PATHS.length)] };
          rows.push(row);
          await db('help_requests').insert({ id: i, event_id: `s${seed}-${i}`, student_id: row.student, notebook_path: row.path, requested_at: row.time });
        }
        const snapshot = await loadBoundarySnapshot(db);
        const memory = (classes: ClassesFor, teaches: Set<number>) =>
          rows.filter((row) => classesShowing(snapshot, `u${row.student}`, Date.parse(row.time), row.path).some((c) => ('classId' in classes ? c === classes.classId : teaches.has(c)))).map((row) => row.id);
        const sql = async (classes: ClassesFor) =>
          (await db('help_requests as h').where(withinClasses(db, classes, { student: 'h.student_id', time: 'h.requested_at', notebookPath: 'h.notebook_path' })).orderBy('h.id').select('h.id')).map((x: { id: number | string }) => Number(x.id));
        const perEnrolment = async (classes: ClassesFor) => {
          const ids: number[] = [];
          for (const path of PATHS) {
            const since = new Map<number, number>(
              (await visibleSince(db, classes, path)).map((x: { student_id: number | string; since: string | Date }) => [Number(x.student_id), Date.parse(iso(x.since)!)]),
            );
            for (const row of rows) if (row.path === path && since.has(row.student) && Date.parse(row.time) >= since.get(row.student)!) ids.push(row.id);
          }
          return ids.sort((a, b) => a - b);
        };
        let shown = 0;
        for (let c = 1; c <= CLASSES; c++) {
          const expected = memory({ classId: c }, new Set());
          shown += expected.length;
          assert.equal(await sql({ classId: c }), expected, `seed ${seed}, class ${c}: withinClasses`);
          assert.equal(await perEnrolment({ classId: c }), expected, `seed ${seed}, class ${c}: visibleSince`);
        }
        for (let i = 1; i <= 3; i++) {
          const teaches = new Set((await db('class_teachers').where({ instructor_id: i }).select('class_id')).map((x: { class_id: number }) => Number(x.class_id)));
          const expected = memory({ instructorId: i }, teaches);
          assert.equal(await sql({ instructorId: i }), expected, `seed ${seed}, instructor ${i}: withinClasses`);
          assert.equal(await perEnrolment({ instructorId: i }), expected, `seed ${seed}, instructor ${i}: visibleSince`);
        }
        assert.ok(shown > 30 && shown < CLASSES * rows.length, `seed ${seed}: a world where the rule decides (${shown} row-classes shown)`);
      } finally {
        await db.destroy();
      }
    }
  });

  it.run();
}
