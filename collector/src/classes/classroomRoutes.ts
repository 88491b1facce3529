/**
 * What an instructor changes for a class from the dashboard: a broadcast to every student ("10
 * minutes left", shown once in each student's JupyterLab within seconds), the class's stuck
 * threshold and its retention (days its students' data is kept; privacy/retention.ts).
 */
import type { Knex } from 'knex';
import type { Channel } from '../broadcast/channel.ts';
import type { SystemMessage } from '../broadcast/liveChannels.ts';
import * as yup from 'yup';
import type { ClassSettings } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import type { Logger } from '../core/logger.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, readJson, trimmedString, validate } from '../http/request.ts';
import type { InstructorRow } from '../instructors/store.ts';
import { errors } from '../http/errors.ts';
import { isAdmin, teacherRole } from './classAccess.ts';
import { sendBroadcast } from './broadcasts.ts';
import { changeClassSettings, classSettings, requireClass, type ClassSettingsRow } from './store.ts';

export const BROADCAST_MAX_CHARS = 500;
const broadcastBody = yup.object({ message: trimmedString().min(1, 'message must not be empty').max(BROADCAST_MAX_CHARS, `message must be at most ${BROADCAST_MAX_CHARS} characters`).required('message is required') });
export const RETENTION_DAYS_MAX = 36500;
const settingsBody = yup
  .object({
    stuck_errors: yup.number().typeError('stuck_errors must be a number').integer('stuck_errors must be an integer').min(2, 'stuck_errors must be 2-20').max(20, 'stuck_errors must be 2-20').optional(),
    /** null = the collector's RETENTION_DAYS; 0 = kept forever (privacy/retention.ts). */
    retention_days: yup.number().typeError('retention_days must be a number or null').integer('retention_days must be a whole number of days').min(0, `retention_days must be 0-${RETENTION_DAYS_MAX} or null`).max(RETENTION_DAYS_MAX, `retention_days must be 0-${RETENTION_DAYS_MAX} or null`).nullable().optional(),
  })
  .test('something', 'give stuck_errors or retention_days', (v) => v.stuck_errors !== undefined || v.retention_days !== undefined);

export function addClassroomRoutes(table: RouteTable, parts: { db: Knex; log: Logger; broadcast: Channel<SystemMessage>; onSettingsChanged?: (classId: number) => void }): void {
  const { db, log } = parts;

  table.add({
    method: 'post', path: '/api/v1/classes/:id/broadcasts', access: 'instructor', tag: 'dashboard', scope: { class: { param: 'id' } },
    summary: "Send a short message to every student of the class; each student's JupyterLab shows it once",
    body: broadcastBody, responses: { 201: 'sent', 404: 'no such class', 422: 'empty or too long' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const { message } = await validate(broadcastBody, await readJson(ctx));
      const { instructor } = authOf<InstructorRow>(ctx);
      const view = await sendBroadcast(db, cls, message, instructor);
      // Seed 000's `broadcast` channel, for any other consumer of the deployment's Redis (embedded: no one).
      await parts.broadcast.publish({ type: 'system_message', ...view }).catch((err: Error) => log.warn({ err }, 'broadcast not published'));
      log.info({ event: 'broadcast', classId: cls.id, recipients: view.recipients, chars: message.length, by: instructor.id }, 'broadcast sent');
      ctx.status = 201;
      ctx.body = view;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/settings', access: 'instructor', tag: 'dashboard', scope: { class: { param: 'id' } },
    summary: "The class's dashboard settings (stuck_errors: error runs in a row on one cell that make a student stuck; retention_days: null = the collector's default)",
    responses: { 200: 'the settings', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      ctx.body = settingsView(cls.id, await classSettings(db, cls.id));
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id/settings', access: 'instructor', tag: 'dashboard', scope: { class: { param: 'id' } },
    summary: 'Change the class settings, each optional: stuck_errors 2-20; retention_days (owners and admins) 0-36500, 0 = forever, null = the default',
    body: settingsBody, responses: { 200: 'changed', 403: 'retention_days by a co-teacher', 404: 'no such class', 422: 'out of range' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const input = await validate(settingsBody, await readJson(ctx));
      const who = authOf<InstructorRow>(ctx);
      // Shortening retention deletes the class's history at the next sweep: owners and admins only.
      if (input.retention_days !== undefined && !isAdmin(who) && (await teacherRole(db, who.instructor.id, cls.id)) !== 'owner') {
        throw errors.forbidden('not_class_owner', 'only an owner of the class may change its retention');
      }
      await changeClassSettings(db, cls.id, { stuckErrors: input.stuck_errors, retentionDays: input.retention_days });
      if (input.retention_days !== undefined) log.info({ event: 'class_retention', classId: cls.id, retentionDays: input.retention_days, by: who.instructor.id }, 'class retention set');
      parts.onSettingsChanged?.(cls.id);
      ctx.body = settingsView(cls.id, await classSettings(db, cls.id));
    },
  });
}

function settingsView(classId: number, row: ClassSettingsRow): ClassSettings {
  return { classId, stuckErrors: Number(row.stuck_errors), retentionDays: row.retention_days === null ? null : Number(row.retention_days) };
}
