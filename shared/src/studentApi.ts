/**
 * The student's routes (`/api/v1/student/…`), reached only through the Jupyter companion
 * (`{baseUrl}cell-monitor/student/…`), which stamps the Jupyter user: no body or answer names the
 * student. Field names are snake_case, as on the wire. Timestamps are ISO 8601.
 *
 * | route                              | body                    | answer                           |
 * |------------------------------------|-------------------------|----------------------------------|
 * | GET  assignments                   |                         | `StudentAssignment[]`            |
 * | POST submissions                   | `StudentSubmissionBody` | 201 `StudentSubmissionCreated`   |
 * | GET  submissions?assignment_id=    |                         | `StudentSubmissionListItem[]`    |
 * | GET  notifications?after=<id>      |                         | `StudentNotification[]`, oldest first |
 * | GET  policy                        |                         | `StudentPolicy` (what may be sent) |
 *
 * The extension imports the types with `import type` (nothing of yup is bundled); the collector
 * validates the submission body with `studentSubmissionBodySchema`.
 */
import * as yup from 'yup';

/** A submission as its student sees it (without the notebook). */
export interface StudentSubmissionSummary {
  id: number;
  assignment_id: number;
  student_id: number;
  submission_comment: string | null;
  submitted_at: string | null;
  is_late: boolean;
  status: 'submitted' | 'graded';
  /** 0–100 once graded. */
  score: number | null;
  feedback: string | null;
  graded_at: string | null;
  graded_by: number | null;
}

export type StudentAssignmentStatus = 'not_submitted' | StudentSubmissionSummary['status'];

/** One assignment of one of the student's classes, with where the student stands on it. */
export interface StudentAssignment {
  id: number;
  class_id: number;
  class_name: string;
  notebook_path: string;
  title: string;
  description: string | null;
  due_date: string | null;
  created_at: string | null;
  updated_at: string | null;
  submission_status: StudentAssignmentStatus;
  /** The newest submission, or null before the first. */
  latest_submission: StudentSubmissionSummary | null;
}

/** `POST submissions`: hand in a notebook for an assignment of one of my classes. */
export interface StudentSubmissionBody {
  assignment_id: number;
  /** The notebook as nbformat JSON: an object with `cells`. */
  notebook_content: object;
  submission_comment?: string | null;
}

export const studentSubmissionBodySchema: yup.ObjectSchema<StudentSubmissionBody> = yup.object({
  // A database id: a positive 32-bit integer (a larger one cannot exist, and PostgreSQL would refuse it).
  assignment_id: yup.number().integer().positive().max(2_147_483_647, '${path} is not a valid id').required('assignment_id is required'),
  notebook_content: yup
    .object()
    .required('notebook_content is required')
    .test('notebook', 'notebook_content must be a notebook (an object with cells)', (v) => Array.isArray((v as { cells?: unknown } | undefined)?.cells)),
  submission_comment: yup.string().max(10_000).nullable().optional(),
});

/** The 201 answer to `POST submissions`. */
export interface StudentSubmissionCreated extends StudentSubmissionSummary {
  submission_id: number;
  message: string;
}

/** `GET submissions`: my submissions, newest first, each with its assignment's title. */
export interface StudentSubmissionListItem extends StudentSubmissionSummary {
  assignment_title: string;
}

/** What grading stores for the student (and publishes on Redis `notifications:<user>`). */
export interface AssignmentGradedPayload {
  event: 'assignment_graded';
  assignment_id: number;
  submission_id: number;
  score: number | null;
  feedback: string | null;
  graded_at: string | null;
}

/** `GET notifications`: `id` is the cursor for the next `?after=`. */
export interface AssignmentGradedNotification extends AssignmentGradedPayload {
  id: number;
  type: 'assignment_graded';
}

/** What resolving a help request stores for the student (dashboard). */
export interface HelpResolvedPayload {
  help_request_id: number;
  notebook_path: string | null;
  resolved_by: string;
  resolved_at: string;
}

export interface HelpResolvedNotification extends HelpResolvedPayload {
  id: number;
  type: 'help_resolved';
}

/** What a class broadcast stores for each of the class's students (dashboard). */
export interface BroadcastPayload {
  broadcast_id: number;
  class_id: number;
  class_name: string;
  message: string;
  sent_by: string;
  sent_at: string;
}

export interface BroadcastNotification extends BroadcastPayload {
  id: number;
  type: 'broadcast';
}

/** Every kind of student notification. */
export type StudentNotification = AssignmentGradedNotification | HelpResolvedNotification | BroadcastNotification;

export { CAPTURE_POLICIES, loosestPolicy, policyForNotebook, strictestPolicy, type CapturePolicy } from './capturePolicy.ts';
import type { CapturePolicy } from './capturePolicy.ts';

/** GET {companion}/student/policy → the collector's GET /api/v1/student/policy */
export interface StudentPolicy {
  /** The default: her home class's policy (code_and_output in no class). Older extensions apply only this. */
  policy: CapturePolicy;
  /** The class whose policy is the default, or null. */
  home_class_id?: number | null;
  /** Each class of the student with its own policy. */
  classes: Array<{ id: number; name: string; policy: CapturePolicy }>;
  /** Assignment notebooks of her classes (path as events carry it) → the policy for that notebook. */
  notebooks?: Record<string, CapturePolicy>;
}

/** GET /api/v1/test/events/:id — a connection check's test event was stored. */
export interface ConnectionTestStored {
  eventId: string;
  sentAt: string;
  storedAt: string;
}

/** One hop of a connection check, as the companion (`POST {baseUrl}cell-monitor/check`) reports it. */
export interface ConnectionHop {
  hop: 'companion' | 'collector' | 'credential' | 'stored';
  ok: boolean;
  /** Milliseconds this hop took (null when it was not reached). */
  ms: number | null;
  /** What a student or admin can do about a failure, in plain words. */
  hint?: string;
  status?: number;
}

export interface ConnectionCheck {
  ok: boolean;
  collectorUrl: string;
  user: string;
  eventId: string;
  hops: ConnectionHop[];
}
