/**
 * What an uploaded classroom image really is, from its bytes (never from the Content-Type the
 * browser claims): PNG or JPEG, and its pixel size. Anything else is not an image we store.
 * The size a file declares is also capped (`imageTooLarge`): a few bytes can declare 60,000 × 60,000
 * pixels, which every dashboard browser would then try to decode (14 GB of RGBA).
 */
export interface ImageInfo {
  type: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function imageInfo(bytes: Uint8Array): ImageInfo | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b) && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR') {
    const width = view.getUint32(16);
    const height = view.getUint32(20);
    return width > 0 && height > 0 ? { type: 'image/png', width, height } : null;
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame (SOF0–SOF15 but DHT C4, JPG C8, DAC CC).
    let at = 2;
    while (at + 9 < bytes.length) {
      if (bytes[at] !== 0xff) return null;
      const marker = bytes[at + 1];
      if (marker === 0xff) {
        at += 1; // fill byte
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        at += 2; // markers without a length
        continue;
      }
      const length = view.getUint16(at + 2);
      if (length < 2) return null;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        const height = view.getUint16(at + 5);
        const width = view.getUint16(at + 7);
        return width > 0 && height > 0 ? { type: 'image/jpeg', width, height } : null;
      }
      if (marker === 0xda || marker === 0xd9) return null; // scan data or end before any frame header
      at += 2 + length;
    }
  }
  return null;
}

/** The longest side a seat-map image may have, in pixels. */
export const IMAGE_MAX_SIDE = 10_000;
/** The most pixels a seat-map image may have (a 40 MP photo decodes to 160 MB of RGBA). */
export const IMAGE_MAX_PIXELS = 40_000_000;

/** Why an image is too large to store (a sentence for the client), or null when it fits the caps. */
export function imageTooLarge(info: ImageInfo): string | null {
  if (info.width > IMAGE_MAX_SIDE || info.height > IMAGE_MAX_SIDE) {
    return `the image is ${info.width} × ${info.height} pixels; each side may be at most ${IMAGE_MAX_SIDE}`;
  }
  if (info.width * info.height > IMAGE_MAX_PIXELS) {
    return `the image has ${((info.width * info.height) / 1e6).toFixed(1)} megapixels; at most ${IMAGE_MAX_PIXELS / 1e6} are accepted`;
  }
  return null;
}
