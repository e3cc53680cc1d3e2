import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/http/errors.js';
import { closeHeicDecoder, ImageRejectedError, processReceiptImage, RECEIPT_IMAGE_LIMITS, type ProcessedReceiptImage } from '../../src/server/files/receipt-images.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'receipts');
const fixture = (name: string): Buffer => readFileSync(join(dir, name));

// --- independent JPEG/EXIF inspection (no sharp involved) -------------------------------------

interface Segment {
  marker: number;
  /** First bytes of the payload as text, e.g. "Exif", "http://ns.adobe.com/xap/1.0/", "ICC_PROFILE", "JFIF". */
  id: string;
  payload: Buffer;
}

/** The marker segments of a JPEG up to the first scan. */
function jpegSegments(buf: Buffer): Segment[] {
  expect(buf.readUInt16BE(0)).toBe(0xffd8);
  const out: Segment[] = [];
  let i = 2;
  while (i + 4 <= buf.length) {
    expect(buf[i]).toBe(0xff);
    const marker = buf[i + 1]!;
    if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan
    const len = buf.readUInt16BE(i + 2);
    const payload = buf.subarray(i + 4, i + 2 + len);
    const nul = payload.indexOf(0);
    out.push({ marker, id: payload.subarray(0, nul >= 0 && nul < 40 ? nul : 12).toString('latin1'), payload });
    i += 2 + len;
  }
  return out;
}

/** Whether the EXIF of a JPEG has a GPS IFD (tag 0x8825 in IFD0), read straight from the TIFF structure. */
function exifHasGps(buf: Buffer): boolean {
  const app1 = jpegSegments(buf).find((s) => s.marker === 0xe1 && s.id === 'Exif');
  if (!app1) return false;
  const tiff = app1.payload.subarray(6);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number): number => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number): number => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd0 = u32(4);
  const count = u16(ifd0);
  for (let e = 0; e < count; e++) if (u16(ifd0 + 2 + e * 12) === 0x8825) return true;
  return false;
}

/** No metadata of any kind: only JFIF (APP0), quantization/Huffman tables and frame headers. */
async function expectNoMetadata(jpeg: Buffer): Promise<void> {
  const segments = jpegSegments(jpeg);
  const appSegments = segments.filter((s) => s.marker >= 0xe1 && s.marker <= 0xef); // APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC)…
  expect(appSegments.map((s) => `APP${s.marker - 0xe0} ${s.id}`)).toEqual([]);
  expect(segments.filter((s) => s.marker === 0xfe)).toEqual([]); // COM
  for (const needle of ['Exif', 'GPS', 'http://ns.adobe.com', 'ICC_PROFILE', 'Phonecorp', 'Test Artist']) {
    expect(jpeg.includes(needle), needle).toBe(false);
  }
  const meta = await sharp(jpeg).metadata();
  expect(meta.format).toBe('jpeg');
  expect(meta.exif).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(meta.icc).toBeUndefined();
  expect(meta.iptc).toBeUndefined();
  expect(meta.orientation).toBeUndefined();
}

async function expectThumbnail(result: ProcessedReceiptImage): Promise<void> {
  const meta = await sharp(result.thumbnail).metadata();
  expect(meta.format).toBe('jpeg');
  expect(Math.max(meta.width, meta.height)).toBe(Math.min(RECEIPT_IMAGE_LIMITS.thumbnailSide, Math.max(result.width, result.height)));
  expect([meta.width, meta.height]).toEqual([result.thumbnailWidth, result.thumbnailHeight]);
  // Same aspect ratio as the image (within rounding).
  expect(Math.abs(meta.width / meta.height - result.width / result.height)).toBeLessThan(0.01);
  await expectNoMetadata(result.thumbnail);
}

/** Mean absolute difference (0–255) of two images compared as 100×145 greyscale. */
async function difference(a: Buffer, b: Buffer): Promise<number> {
  const small = (x: Buffer) => sharp(x).autoOrient().greyscale().resize(100, 145, { fit: 'fill' }).raw().toBuffer();
  const [pa, pb] = await Promise.all([small(a), small(b)]);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i]! - pb[i]!);
  return sum / pa.length;
}

async function rejection(promise: Promise<unknown>): Promise<ImageRejectedError> {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageRejectedError);
  expect(err).toBeInstanceOf(AppError);
  return err as ImageRejectedError;
}

// --- hostile inputs built here ----------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid-looking PNG whose header announces width × height RGB pixels, with a few KB of data. */
function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const idat = deflateSync(Buffer.alloc(64 * 1024), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A real JPEG whose frame header is rewritten to announce width × height. */
function jpegBomb(width: number, height: number): Buffer {
  const buf = Buffer.from(fixture('receipt-gps.jpg'));
  const sof = jpegSegments(buf).find((s) => s.marker >= 0xc0 && s.marker <= 0xc2)!;
  const at = sof.payload.byteOffset - buf.byteOffset; // payload: precision(1) height(2) width(2)
  buf.writeUInt16BE(height, at + 1);
  buf.writeUInt16BE(width, at + 3);
  return buf;
}

/** The HEIC fixture with every image-size box (ispe) rewritten to announce width × height. */
function heicBomb(width: number, height: number): Buffer {
  const buf = Buffer.from(fixture('receipt.heic'));
  let found = 0;
  for (let i = buf.indexOf('ispe'); i >= 0; i = buf.indexOf('ispe', i + 1)) {
    buf.writeUInt32BE(width, i + 8); // after 'ispe' and version/flags
    buf.writeUInt32BE(height, i + 12);
    found += 1;
  }
  expect(found).toBeGreaterThan(0);
  return buf;
}

// --- tests ------------------------------------------------------------------------------------

describe('processReceiptImage', () => {
  afterAll(async () => {
    await closeHeicDecoder();
  });

  it('removes GPS, EXIF and XMP from a phone JPEG and keeps the picture', async () => {
    const input = fixture('receipt-gps.jpg');
    // The fixture really carries what must go.
    expect(exifHasGps(input)).toBe(true);
    expect(jpegSegments(input).some((s) => s.id === 'http://ns.adobe.com/xap/1.0/')).toBe(true);
    const inMeta = await sharp(input).metadata();
    expect(inMeta.exif).toBeDefined();

    const out = await processReceiptImage(input, 'jpg');
    expect(out.contentType).toBe('image/jpeg');
    expect([out.width, out.height]).toEqual([800, 1160]);
    expect(exifHasGps(out.image)).toBe(false);
    await expectNoMetadata(out.image);
    await expectThumbnail(out);
    expect([out.thumbnailWidth, out.thumbnailHeight]).toEqual([221, 320]);
    expect(await difference(input, out.image)).toBeLessThan(3);
    const meta = await sharp(out.image).metadata();
    expect(meta.space).toBe('srgb');
    expect(meta.chromaSubsampling).toBe('4:2:0');
    expect(meta.isProgressive).toBe(true);
  });

  it('converts a CMYK JPEG with an ICC profile to plain sRGB, profile dropped', async () => {
    const cmyk = await sharp(fixture('receipt-gps.jpg')).toColourspace('cmyk').jpeg().withIccProfile('cmyk').toBuffer();
    const inMeta = await sharp(cmyk).metadata();
    expect([inMeta.space, inMeta.channels, inMeta.icc !== undefined]).toEqual(['cmyk', 4, true]);
    const out = await processReceiptImage(cmyk, 'jpg');
    const meta = await sharp(out.image).metadata();
    expect([meta.space, meta.channels]).toEqual(['srgb', 3]);
    await expectNoMetadata(out.image);
    expect(await difference(fixture('receipt-gps.jpg'), out.image)).toBeLessThan(6);
  });

  it('turns an EXIF-rotated photo upright and drops the orientation tag', async () => {
    const input = fixture('receipt-rotated.jpg');
    const inMeta = await sharp(input).metadata();
    expect(inMeta.orientation).toBe(6);
    expect([inMeta.width, inMeta.height]).toEqual([1160, 800]); // stored sideways

    const out = await processReceiptImage(input, 'jpg');
    expect([out.width, out.height]).toEqual([800, 1160]);
    await expectNoMetadata(out.image);
    await expectThumbnail(out);
    // Pixel for pixel it is the upright photo, not a mirror or a 90° turn the other way.
    const upright = fixture('receipt-gps.jpg');
    expect(await difference(upright, out.image)).toBeLessThan(4);
    const wrongWay = await sharp(input).rotate(-90).jpeg().toBuffer(); // explicit angle, EXIF ignored: upside down
    expect(await difference(upright, wrongWay)).toBeGreaterThan(8);
  });

  it('converts HEIC (with GPS in its EXIF) to a clean JPEG', async () => {
    const input = fixture('receipt.heic');
    expect(input.toString('latin1', 4, 12)).toBe('ftypheic');
    expect(input.includes('GPS') || input.includes('Exif')).toBe(true);

    const out = await processReceiptImage(input, 'heic');
    expect([out.width, out.height]).toEqual([800, 1160]);
    await expectNoMetadata(out.image);
    await expectThumbnail(out);
    expect(await difference(fixture('receipt-gps.jpg'), out.image)).toBeLessThan(4);
  });

  it('decodes HEIC in a reusable worker: concurrent files, and again after it was closed', async () => {
    const heic = fixture('receipt.heic');
    const results = await Promise.all([
      processReceiptImage(heic, 'heic'),
      processReceiptImage(heic.subarray(0, 5000), 'heic').catch((e: unknown) => e),
      processReceiptImage(heic, 'heic'),
    ]);
    expect((results[0] as ProcessedReceiptImage).width).toBe(800);
    expect((results[1] as ImageRejectedError).reason).toBe('corrupt');
    expect((results[2] as ProcessedReceiptImage).image.equals((results[0] as ProcessedReceiptImage).image)).toBe(true);
    await closeHeicDecoder();
    const again = await processReceiptImage(heic, 'heic');
    expect([again.width, again.height]).toEqual([800, 1160]);
  });

  it('re-encodes a PNG, flattening transparency onto white', async () => {
    const png = await processReceiptImage(fixture('receipt.png'), 'png');
    expect([png.width, png.height]).toEqual([620, 940]); // small images are not enlarged
    await expectNoMetadata(png.image);
    await expectThumbnail(png);

    const transparent = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: { create: { width: 100, height: 100, channels: 4, background: '#000000ff' } }, left: 100, top: 50 }])
      .withIccProfile('p3')
      .png()
      .toBuffer();
    const out = await processReceiptImage(transparent, 'png');
    await expectNoMetadata(out.image);
    const { data, info } = await sharp(out.image).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect([...data.subarray(0, 3)].every((v) => v > 245)).toBe(true); // corner: white, not black
    const centre = ((100 * 300 + 150) * 3) as number;
    expect([...data.subarray(centre, centre + 3)].every((v) => v < 10)).toBe(true);
  });

  it('caps the long side at 2400 px and the thumbnail at 320 px, keeping the aspect ratio', async () => {
    const phone = await sharp(fixture('receipt-gps.jpg')).resize(3000, 4000, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
    const tall = await processReceiptImage(phone, 'jpg');
    expect([tall.width, tall.height]).toEqual([1800, 2400]);
    expect([tall.thumbnailWidth, tall.thumbnailHeight]).toEqual([240, 320]);
    await expectThumbnail(tall);

    const wide = await sharp({ create: { width: 5000, height: 1000, channels: 3, background: '#fafafa' } }).png().toBuffer();
    const out = await processReceiptImage(wide, 'png');
    expect([out.width, out.height]).toEqual([2400, 480]);
    expect([out.thumbnailWidth, out.thumbnailHeight]).toEqual([320, 64]);
  });

  it('refuses a PNG announcing 100000×100000 pixels from its header, fast, as 413', async () => {
    const bomb = pngBomb(100_000, 100_000);
    expect(bomb.length).toBeLessThan(2000);
    const started = performance.now();
    const err = await rejection(processReceiptImage(bomb, 'png'));
    // Decoding 10^10 pixels would take minutes and 30 GB; the header check takes milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(err.reason).toBe('too_many_pixels');
    expect(err.code).toBe('file_too_large');
    expect(err.status).toBe(413);
    expect(err.detail).toBe('The image is larger than 40 megapixels');
  });

  it('refuses JPEG and HEIC bombs the same way', async () => {
    for (const [bomb, kind] of [
      [jpegBomb(60_000, 60_000), 'jpg'],
      [heicBomb(100_000, 100_000), 'heic'],
    ] as const) {
      const started = performance.now();
      const err = await rejection(processReceiptImage(bomb, kind));
      expect(performance.now() - started).toBeLessThan(2000);
      expect([kind, err.reason, err.status]).toEqual([kind, 'too_many_pixels', 413]);
    }
  });

  it('accepts an image just under the pixel limit and refuses one just over', async () => {
    const under = await sharp({ create: { width: 5000, height: 8000, channels: 3, background: '#ffffff' } }).png({ compressionLevel: 9 }).toBuffer();
    const ok = await processReceiptImage(under, 'png');
    expect([ok.width, ok.height]).toEqual([1500, 2400]);
    const err = await rejection(processReceiptImage(pngBomb(5000, 8001), 'png'));
    expect(err.reason).toBe('too_many_pixels');
  });

  it('refuses damaged, empty, foreign and mislabelled files with 400 invalid_file_type', async () => {
    const jpg = fixture('receipt-gps.jpg');
    const png = fixture('receipt.png');
    const heic = fixture('receipt.heic');
    const badCrc = Buffer.from(png);
    badCrc[40] = badCrc[40]! ^ 0xff; // inside the first data chunk
    const cases: [string, Buffer, 'jpg' | 'png' | 'heic', string][] = [
      ['truncated JPEG', jpg.subarray(0, Math.floor(jpg.length / 2)), 'jpg', 'corrupt'],
      ['truncated PNG', png.subarray(0, Math.floor(png.length / 2)), 'png', 'corrupt'],
      ['PNG with a damaged chunk', badCrc, 'png', 'corrupt'],
      ['truncated HEIC', heic.subarray(0, Math.floor(heic.length / 2)), 'heic', 'corrupt'],
      ['HEIC header then noise', Buffer.concat([heic.subarray(0, 32), Buffer.alloc(4000, 7)]), 'heic', 'corrupt'],
      ['empty file', Buffer.alloc(0), 'png', 'corrupt'],
      ['text', Buffer.from('%PDF-1.7 not an image'), 'jpg', 'unsupported_format'],
      ['PNG sent as JPEG', png, 'jpg', 'type_mismatch'],
      ['JPEG sent as PNG', jpg, 'png', 'type_mismatch'],
      ['JPEG sent as HEIC', jpg, 'heic', 'type_mismatch'],
      ['SVG sent as PNG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'png', 'type_mismatch'],
    ];
    for (const [name, input, kind, reason] of cases) {
      const err = await rejection(processReceiptImage(input, kind));
      expect([name, err.reason, err.code, err.status]).toEqual([name, reason, 'invalid_file_type', 400]);
      // The decoder's own words stay in `cause` (logs), not in the answer.
      expect(err.detail).toMatch(/^The (file|image|HEIC)/);
    }
  });
});
