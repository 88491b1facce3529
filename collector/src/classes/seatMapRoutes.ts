/**
 * `/api/v1/classes/:id/seat-map`: the classroom image an instructor uploads (PNG or JPEG, checked by
 * its bytes, at most 5 MiB, kept in the database so every collector of a deployment serves it) and
 * where each team or student sits on it. The live colours come from the board the page already has.
 */
import getRawBody from 'raw-body';
import * as yup from 'yup';
import { SEAT_MAP_MAX_BYTES, SEAT_MAP_MAX_PLACEMENTS, type SeatPlacement } from '@cell-monitor/shared';
import type { Knex } from 'knex';
import { authOf } from '../auth/accessGuards.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, readJson, validate } from '../http/request.ts';
import { requireClass } from './store.ts';
import { imageInfo, imageTooLarge } from './imageSize.ts';
import { readSeatMap, saveSeatMap, seatMapImage } from './seatMaps.ts';

const placementsBody = yup.object({
  placements: yup
    .array(
      yup
        .object({
          kind: yup.string().oneOf(['team', 'student'], 'kind must be team or student').required(),
          key: yup.string().strict().min(1).max(255).required(),
          x: yup.number().strict().min(0, 'x is a fraction of the width, 0-1').max(1, 'x is a fraction of the width, 0-1').required(),
          y: yup.number().strict().min(0, 'y is a fraction of the height, 0-1').max(1, 'y is a fraction of the height, 0-1').required(),
        })
        .noUnknown(),
    )
    .max(SEAT_MAP_MAX_PLACEMENTS, `at most ${SEAT_MAP_MAX_PLACEMENTS} placements`)
    .test('unique', 'each team or student is placed once', (list) => !list || new Set(list.map((p) => `${p.kind}:${p.key}`)).size === list.length)
    .required('placements is required'),
});

export function addSeatMapRoutes(table: RouteTable, parts: { db: Knex }): void {
  const { db } = parts;
  const classScope = { class: { param: 'id' } } as const;

  table.add({
    method: 'get', path: '/api/v1/classes/:id/seat-map', access: 'instructor', tag: 'dashboard', scope: classScope,
    summary: "The class's seat map: the image's type and size (bytes at …/seat-map/image) and the placements",
    responses: { 200: 'the seat map (image null until one is uploaded)', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      ctx.body = await readSeatMap(db, cls.id);
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id/seat-map/image', access: 'instructor', tag: 'dashboard', scope: classScope,
    summary: `Upload the classroom image: the PNG or JPEG bytes as the body (Content-Type image/png or image/jpeg), at most ${SEAT_MAP_MAX_BYTES / 1024 / 1024} MiB; placements are kept`,
    responses: { 200: 'stored', 404: 'no such class', 413: 'too large', 415: 'not a PNG or JPEG', 422: 'more than 10,000 pixels a side or 40 megapixels' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      if (!ctx.is('image/png', 'image/jpeg')) throw errors.unsupportedMediaType('send the image as image/png or image/jpeg');
      if ((ctx.get('content-encoding') || 'identity').toLowerCase() !== 'identity') throw errors.unsupportedMediaType('send the image without Content-Encoding');
      let bytes: Buffer;
      try {
        bytes = await getRawBody(ctx.req, { length: ctx.get('content-length') || undefined, limit: SEAT_MAP_MAX_BYTES });
      } catch (err) {
        if ((err as { type?: string }).type === 'entity.too.large') throw errors.payloadTooLarge(`the image is larger than ${SEAT_MAP_MAX_BYTES / 1024 / 1024} MiB`);
        throw errors.badRequest('body_unreadable', 'the image could not be read completely');
      }
      const info = imageInfo(bytes);
      if (!info) throw errors.unsupportedMediaType('the file is not a PNG or JPEG image', 'not_an_image');
      const tooLarge = imageTooLarge(info);
      if (tooLarge) throw errors.unprocessable('image_dimensions_too_large', tooLarge, { width: info.width, height: info.height });
      await saveSeatMap(db, cls.id, { image: bytes, image_type: info.type, image_width: info.width, image_height: info.height, updated_by: authOf(ctx).instructor.id });
      ctx.body = await readSeatMap(db, cls.id);
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/seat-map/image', access: 'instructor', tag: 'dashboard', scope: classScope,
    summary: 'The classroom image as uploaded', responses: { 200: 'image/png or image/jpeg', 404: 'no such class or no image' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const row = await seatMapImage(db, cls.id);
      if (!row) throw errors.notFound('seat_map_image');
      ctx.type = row.image_type;
      ctx.set('Cache-Control', 'private, no-store');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.body = Buffer.from(row.image);
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id/seat-map/placements', access: 'instructor', tag: 'dashboard', scope: classScope,
    summary: 'Save where each team or student sits (x, y: fractions of the image; each once)',
    body: placementsBody, responses: { 200: 'saved', 404: 'no such class', 422: 'invalid placements' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const { placements } = await validate(placementsBody, await readJson(ctx, 256 * 1024));
      const clean = placements.map((p) => ({ kind: p.kind as SeatPlacement['kind'], key: p.key, x: Math.round(p.x * 10_000) / 10_000, y: Math.round(p.y * 10_000) / 10_000 }));
      await saveSeatMap(db, cls.id, { placements: JSON.stringify(clean), updated_by: authOf(ctx).instructor.id });
      ctx.body = await readSeatMap(db, cls.id);
    },
  });
}
