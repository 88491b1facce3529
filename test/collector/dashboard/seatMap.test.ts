/**
 * The seat map through the real API on both engines: an image is accepted only when its bytes are a
 * PNG or JPEG (whatever the Content-Type says), within the size limit, served back byte for byte;
 * placements are validated and saved; another class's instructor is refused.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SeatMapView } from '@cell-monitor/shared';
import { imageInfo } from '../../../collector/src/classes/imageSize.ts';
import { login, request } from '../../helpers/http.ts';
import { png } from '../../helpers/png.ts';
import { addInstructors, TEACHER_AND_OUTSIDER, modesToTest, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'seat-map-test-jwt-secret-0123456789-abcdef';

/** The start of a baseline JPEG: SOI, an APP0 (JFIF) segment, then SOF0 with height and width. */
function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

const unit = suite('seat map image check (pure)');
unit('PNG and JPEG are recognised by their bytes with their pixel size; anything else is not', () => {
  assert.equal(imageInfo(png(640, 360, () => [255, 255, 255])), { type: 'image/png', width: 640, height: 360 });
  assert.equal(imageInfo(jpegHeader(1920, 1080)), { type: 'image/jpeg', width: 1920, height: 1080 });
  assert.is(imageInfo(Buffer.from('GIF89a\x01\x00\x01\x00')), null);
  assert.is(imageInfo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), null);
  assert.is(imageInfo(png(4, 4, () => [0, 0, 0]).subarray(0, 20)), null, 'a cut PNG header');
  assert.is(imageInfo(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0, 0, 0, 0, 0, 0])), null, 'a JPEG with no frame header');
});
unit.run();

for (const mode of modesToTest()) {
  const it = suite(`seat map API [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let token: string;
  let classId: number;
  const upload = (bytes: Buffer, type: string, as = token) => fetch(`${app.url}/api/v1/classes/${classId}/seat-map/image`, { method: 'PUT', headers: { authorization: `Bearer ${as}`, 'content-type': type }, body: new Uint8Array(bytes) });

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    [token] = await addInstructors(app, TEACHER_AND_OUTSIDER, 1);
    classId = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Room 301', class_code: 'R301' } })).body.id;
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  it('no map yet; an uploaded PNG is stored with its size and served back byte for byte', async () => {
    assert.equal((await request(app.url, 'get', `/api/v1/classes/${classId}/seat-map`, { token })).body, { classId, image: null, placements: [] });
    assert.is((await request(app.url, 'get', `/api/v1/classes/${classId}/seat-map/image`, { token })).body.error, 'seat_map_image_not_found');
    const image = png(320, 200, (x, y) => [x % 256, y % 256, 128]);
    const res = await upload(image, 'image/png');
    assert.is(res.status, 200);
    const view = (await res.json()) as SeatMapView;
    assert.equal(view.image && [view.image.type, view.image.width, view.image.height, view.image.bytes], ['image/png', 320, 200, image.length]);
    const back = await fetch(`${app.url}/api/v1/classes/${classId}/seat-map/image`, { headers: { authorization: `Bearer ${token}` } });
    assert.is(back.headers.get('content-type'), 'image/png');
    assert.is(back.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(image), 'the same bytes');
  });

  it('bytes that are not a PNG or JPEG are refused whatever the Content-Type; too large is 413; the stored image stays', async () => {
    const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/png');
    assert.is(svg.status, 415);
    assert.is(((await svg.json()) as { error: string }).error, 'not_an_image');
    assert.is((await upload(png(2, 2, () => [0, 0, 0]), 'image/gif')).status, 415);
    const huge = Buffer.concat([png(2, 2, () => [0, 0, 0]), Buffer.alloc(5 * 1024 * 1024)]);
    const tooLarge = await upload(huge, 'image/png');
    assert.is(tooLarge.status, 413);
    const view = (await request(app.url, 'get', `/api/v1/classes/${classId}/seat-map`, { token })).body as SeatMapView;
    assert.equal([view.image?.width, view.image?.height], [320, 200], 'the refused uploads changed nothing');
  });

  it('placements are saved (fractions, each team or student once) and survive a new image', async () => {
    const placements = [{ kind: 'team', key: 'チームA', x: 0.1, y: 0.2 }, { kind: 'student', key: 'st01', x: 0.55555555, y: 1 }];
    const saved = await request(app.url, 'put', `/api/v1/classes/${classId}/seat-map/placements`, { token, body: { placements } });
    assert.is(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.placements, [{ kind: 'team', key: 'チームA', x: 0.1, y: 0.2 }, { kind: 'student', key: 'st01', x: 0.5556, y: 1 }]);
    for (const bad of [[{ kind: 'team', key: 'A', x: 1.5, y: 0 }], [{ kind: 'desk', key: 'A', x: 0, y: 0 }], [placements[0], placements[0]], [{ kind: 'team', key: 'A', x: '0.1', y: 0 }]]) {
      const reply = await request(app.url, 'put', `/api/v1/classes/${classId}/seat-map/placements`, { token, body: { placements: bad } });
      assert.is(reply.status, 422, JSON.stringify(bad));
      assert.is(reply.body.error, 'validation_failed');
    }
    assert.is((await upload(jpegHeader(800, 600), 'image/jpeg')).status, 200);
    const view = (await request(app.url, 'get', `/api/v1/classes/${classId}/seat-map`, { token })).body as SeatMapView;
    assert.equal([view.image?.type, view.image?.width, view.placements.length], ['image/jpeg', 800, 2]);
  });

  it('a PNG or JPEG declaring a huge pixel size (60,000 × 60,000, or over 40 megapixels) is refused with 422; the stored image stays', async () => {
    const declaring = (width: number, height: number) => {
      const file = Buffer.from(png(2, 2, () => [0, 0, 0]));
      file.writeUInt32BE(width, 16); // IHDR width and height; a viewer trusts these to allocate
      file.writeUInt32BE(height, 20);
      return file;
    };
    for (const [bytes, type] of [[declaring(60_000, 60_000), 'image/png'], [declaring(9_000, 5_000), 'image/png'], [jpegHeader(60_000, 60_000), 'image/jpeg']] as const) {
      const reply = await upload(bytes, type);
      assert.is(reply.status, 422);
      const body = (await reply.json()) as { error: string; message: string };
      assert.is(body.error, 'image_dimensions_too_large');
      assert.match(body.message, /pixels|megapixels/);
    }
    const view = (await request(app.url, 'get', `/api/v1/classes/${classId}/seat-map`, { token })).body as SeatMapView;
    assert.equal([view.image?.type, view.image?.width], ['image/jpeg', 800], 'the refused uploads changed nothing');
    assert.is((await upload(declaring(8_000, 5_000), 'image/png')).status, 200, 'a 40 MP photo still fits');
    assert.is((await upload(jpegHeader(800, 600), 'image/jpeg')).status, 200);
  });

  it("another class's instructor can neither read nor change the map", async () => {
    const other = await login(app.url, 'other@example.org', 'other-password-1');
    assert.ok([403, 404].includes((await request(app.url, 'get', `/api/v1/classes/${classId}/seat-map`, { token: other })).status));
    assert.ok([403, 404].includes((await upload(png(2, 2, () => [0, 0, 0]), 'image/png', other)).status));
    assert.ok([403, 404].includes((await request(app.url, 'put', `/api/v1/classes/${classId}/seat-map/placements`, { token: other, body: { placements: [] } })).status));
    assert.is((await fetch(`${app.url}/api/v1/classes/${classId}/seat-map/image`)).status, 401);
  });

  it.run();
}
