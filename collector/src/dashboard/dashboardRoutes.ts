/**
 * Every dashboard route, in one call: the board and the help loop (boardRoutes.ts), what an
 * instructor changes for a class (classroomRoutes.ts), the seat map (seatMapRoutes.ts), and the views one click away: progress,
 * error clusters, a student's timeline (insightRoutes.ts).
 */
import type { Redis } from 'ioredis';
import type { RouteTable } from '../http/routeTable.ts';
import { addBoardRoutes, type DashboardParts } from './boardRoutes.ts';
import { addClassroomRoutes } from './classroomRoutes.ts';
import { addInsightRoutes } from './insightRoutes.ts';
import { addSeatMapRoutes } from './seatMapRoutes.ts';

export function addDashboardRoutes(table: RouteTable, parts: DashboardParts & { redis?: Redis }): void {
  addBoardRoutes(table, parts);
  addClassroomRoutes(table, parts);
  addInsightRoutes(table, parts);
  addSeatMapRoutes(table, parts);
}
