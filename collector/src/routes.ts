/**
 * The domain routes of the collector, by noun: classes (and their teachers, enrolments, roster,
 * seat map, settings, capture policy), assignments and hand-ins, the student's own notifications,
 * the help loop, the board, the views one click away (insights), notebook history, and after class
 * (sessions: meetings, their report, the CSV exports). Each route file declares the
 * parts it uses; this file only hands them out.
 */
import { addAssignmentRoutes } from './assignments/assignmentRoutes.ts';
import type { SubmissionLimits } from './assignments/store.ts';
import { addStudentRoutes } from './assignments/studentRoutes.ts';
import { addSubmissionRoutes } from './assignments/submissionRoutes.ts';
import { addBoardRoutes } from './board/boardRoutes.ts';
import type { BoardService } from './board/boardService.ts';
import type { LiveChannels } from './broadcast/liveChannels.ts';
import { addClassroomRoutes } from './classes/classroomRoutes.ts';
import { addClassRoutes } from './classes/classRoutes.ts';
import { addEnrollmentRoutes } from './classes/enrollmentRoutes.ts';
import { addPolicyRoutes } from './classes/policyRoutes.ts';
import { addRosterRoutes } from './classes/rosterRoutes.ts';
import { addSeatMapRoutes } from './classes/seatMapRoutes.ts';
import { addStudentRecordRoutes } from './insights/studentRecordRoutes.ts';
import { addTeacherRoutes } from './classes/teacherRoutes.ts';
import type { Logger } from './core/logger.ts';
import { addHelpRoutes } from './help/helpRoutes.ts';
import { addHistoryRoutes } from './history/historyRoutes.ts';
import type { RouteParts } from './http/routeParts.ts';
import type { RouteTable } from './http/routeTable.ts';
import { addEventRoutes } from './insights/eventRoutes.ts';
import { addInsightRoutes } from './insights/insightRoutes.ts';
import { addSessionRoutes } from './sessions/sessionRoutes.ts';
import { addNotificationRoutes } from './students/notificationRoutes.ts';

export interface DomainRouteParts extends Pick<RouteParts, 'db'>, SubmissionLimits {
  log: Logger;
  /** The live channels, the seed's `broadcast` and `notifications:{user}` among them. */
  channels: LiveChannels;
  board: BoardService;
}

export function addDomainRoutes(table: RouteTable, parts: DomainRouteParts): void {
  const { db, log, board } = parts;
  const lms = { db, log: log.child({ module: 'lms' }) };
  const dashboard = { db, log: log.child({ module: 'dashboard' }) };
  addClassRoutes(table, { ...lms, classAccess: parts.channels.classAccess });
  addTeacherRoutes(table, { ...lms, classAccess: parts.channels.classAccess });
  addEnrollmentRoutes(table, lms);
  addRosterRoutes(table, lms);
  addAssignmentRoutes(table, lms);
  addSubmissionRoutes(table, { ...lms, notifications: parts.channels.notifications, submissionMaxBytes: parts.submissionMaxBytes, submissionsKept: parts.submissionsKept });
  addStudentRecordRoutes(table, lms);
  addEventRoutes(table, lms);
  addStudentRoutes(table, { ...lms, submissionMaxBytes: parts.submissionMaxBytes, submissionsKept: parts.submissionsKept });
  addNotificationRoutes(table, lms);
  addPolicyRoutes(table, lms);
  addBoardRoutes(table, { ...dashboard, board });
  addHelpRoutes(table, { ...dashboard, announce: (userId) => board.helpChanged(userId) });
  addClassroomRoutes(table, { ...dashboard, broadcast: parts.channels.broadcast });
  addInsightRoutes(table, { ...dashboard, board });
  addSeatMapRoutes(table, dashboard);
  addHistoryRoutes(table, lms);
  addSessionRoutes(table, { ...dashboard, board });
}
