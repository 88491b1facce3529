/**
 * Every message the collector sends on its two live WebSockets. Types only: the collector does not
 * validate what it sends, and a client that imports these with `import type` bundles nothing.
 *
 * | socket           | first message              | then, as things happen                    |
 * |------------------|----------------------------|-------------------------------------------|
 * | `/ws`            | `HelloMessage`             | `EventsMessage` (persisted events, filtered per instructor) |
 * | `/instructor/ws` | `InstructorHelloMessage`   | `StatusUpdateMessage` (any instructor's status change)      |
 */
import type { LiveEvent } from './liveEvent.ts';

export type InstructorRole = 'admin' | 'instructor';
export type InstructorStatus = 'available' | 'in_session' | 'busy' | 'break' | 'offline';

/** An instructor account as the API shows it (never the password hash). Timestamps are ISO 8601. */
export interface InstructorView {
  id: number;
  email: string;
  name: string;
  role: InstructorRole;
  is_active: boolean;
  status: InstructorStatus;
  current_session_id: string | null;
  status_updated_at: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

/** An instructor's current status (`GET /api/v1/instructor_status/:id`, and every status_update). */
export interface InstructorStatusView {
  instructor_id: number;
  status: InstructorStatus;
  current_session_id: string | null;
  status_updated_at: string | null;
}

/** `/ws`, first: which collector this socket reached. */
export interface HelloMessage {
  type: 'hello';
  collectorId: string;
}

/** `/ws`: events just persisted, without code and output (see LiveEvent). */
export interface EventsMessage {
  type: 'events';
  events: LiveEvent[];
}

/** `/instructor/ws`, first: who the token belongs to and their status now. */
export interface InstructorHelloMessage {
  type: 'hello';
  collectorId: string;
  instructor: InstructorView;
  status: InstructorStatusView;
}

/** `/instructor/ws`: an instructor's status changed (on any collector of the deployment). */
export interface StatusUpdateMessage extends InstructorStatusView {
  type: 'status_update';
}

/** What a `/ws` client receives. */
export type LiveMessage = HelloMessage | EventsMessage;

/** What an `/instructor/ws` client receives. */
export type InstructorLiveMessage = InstructorHelloMessage | StatusUpdateMessage;
