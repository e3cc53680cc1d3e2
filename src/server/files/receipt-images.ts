/**
 * Receipt photos: whatever a phone sends (JPEG, PNG, HEIC) becomes one upright sRGB JPEG of at
 * most 2400 px on its long side (quality 82) with no metadata at all (no EXIF, GPS, XMP, IPTC or ICC), plus
 * a JPEG thumbnail of at most 320 px. Image bombs are refused from the header, before any pixel
 * is decoded; anything sharp or libheif cannot read is refused with a typed error, never a crash.
 *
 * sharp cannot decode HEIC (its prebuilt libvips has no HEVC decoder), so HEIC goes through
 * `heic-decode` (libheif compiled to WebAssembly, the decoder inside `heic-convert`) to raw pixels
 * first, in a worker thread (`heic-decode.worker.mjs`): about a second of synchronous work for a
 * 12 MP photo that must not stall the server. libheif applies the HEIF rotation/mirror boxes while
 * decoding; raw pixels carry no metadata.
 */
import { Worker } from 'node:worker_threads';
import sharp, { type Metadata, type OutputInfo, type Sharp, type SharpOptions } from 'sharp';
import { AppError } from '../http/errors.js';

export type ReceiptImageKind = 'jpg' | 'png' | 'heic';

export const RECEIPT_IMAGE_LIMITS = {
  /** Largest input accepted, in pixels (width × height as announced by the header). */
  maxInputPixels: 40_000_000,
  /** Long side of the stored image. */
  maxSide: 2400,
  /** Long side of the thumbnail. */
  thumbnailSide: 320,
  quality: 82,
  thumbnailQuality: 72,
  /** libvips gives up on one image after this long (a pathological file, a starved machine). */
  timeoutSeconds: 20,
} as const;

/**
 * JPEG encoding: libjpeg in sharp's libvips is mozjpeg; of its `mozjpeg: true` preset we keep
 * the quantization table, progressive scans, optimized Huffman tables and deringing, but not
 * trellis quantization. Measured on a 1800×2400 output of a 12 MP photo: trellis makes files
 * ≈ 15 % smaller but costs ≈ 250 ms more (330 vs 75 ms), and on the receipt fixture it blurs
 * text edges (PSNR 38.5 dB vs 43.8 dB).
 */
const JPEG_OPTIONS = {
  progressive: true,
  optimiseCoding: true,
  quantisationTable: 3,
  overshootDeringing: true,
  trellisQuantisation: false,
} as const;

/**
 * Why an image was refused:
 * - `too_many_pixels`: the header announces more than {@link RECEIPT_IMAGE_LIMITS.maxInputPixels} (413 `file_too_large`)
 * - `unsupported_format`: not an image sharp/libheif can read at all (400 `invalid_file_type`)
 * - `type_mismatch`: a readable image, but not of the kind the caller detected (400 `invalid_file_type`)
 * - `corrupt`: the right kind, but broken or truncated (400 `invalid_file_type`)
 * - `timeout`: decoding took longer than {@link RECEIPT_IMAGE_LIMITS.timeoutSeconds} (400 `invalid_file_type`)
 */
export type ImageRejectReason = 'too_many_pixels' | 'unsupported_format' | 'type_mismatch' | 'corrupt' | 'timeout';

/**
 * An image the portal will not store. It is an {@link AppError}, so thrown from a service it
 * becomes an RFC 7807 answer by itself (413 `file_too_large` for bombs, 400 `invalid_file_type`
 * otherwise); `reason` says which rule refused it. The underlying decoder message is kept in
 * `cause` for logs only: `detail` never echoes it.
 */
export class ImageRejectedError extends AppError {
  override readonly name = 'ImageRejectedError';

  constructor(
    readonly reason: ImageRejectReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(reason === 'too_many_pixels' ? 'file_too_large' : 'invalid_file_type', detail);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

export interface ProcessedReceiptImage {
  /** Progressive sRGB JPEG, upright, metadata-free. */
  image: Buffer;
  contentType: 'image/jpeg';
  width: number;
  height: number;
  /** JPEG, at most {@link RECEIPT_IMAGE_LIMITS.thumbnailSide} px on its long side. */
  thumbnail: Buffer;
  thumbnailWidth: number;
  thumbnailHeight: number;
}

const EXPECTED_FORMAT: Record<Exclude<ReceiptImageKind, 'heic'>, string> = { jpg: 'jpeg', png: 'png' };

function inputOptions(): SharpOptions {
  return {
    limitInputPixels: RECEIPT_IMAGE_LIMITS.maxInputPixels,
    // A truncated or damaged JPEG/PNG is refused rather than stored half grey.
    failOn: 'warning',
    sequentialRead: true,
    pages: 1,
  };
}

function translateSharpError(err: unknown): ImageRejectedError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) {
    return new ImageRejectedError('too_many_pixels', `The image is larger than ${RECEIPT_IMAGE_LIMITS.maxInputPixels / 1_000_000} megapixels`, { cause: err });
  }
  if (/unsupported image format/i.test(message)) {
    return new ImageRejectedError('unsupported_format', 'The file is not a supported image', { cause: err });
  }
  if (/timeout/i.test(message)) {
    return new ImageRejectedError('timeout', 'The image took too long to process', { cause: err });
  }
  return new ImageRejectedError('corrupt', 'The image is damaged or incomplete', { cause: err });
}

function tooManyPixels(width: number, height: number): boolean {
  return !(width > 0 && height > 0) || width * height > RECEIPT_IMAGE_LIMITS.maxInputPixels;
}

// --- HEIC: decoded in a worker thread ----------------------------------------------------------

type HeicAnswer =
  | { id: number; width: number; height: number; pixels: ArrayBuffer }
  | { id: number; error: 'not_heic' | 'empty' | 'too_many_pixels' | 'corrupt'; message: string };

interface HeicDecoder {
  worker: Worker;
  pending: Map<number, { resolve: (a: HeicAnswer) => void; reject: (e: Error) => void }>;
}

let heicDecoder: HeicDecoder | null = null;
let heicRequestId = 0;
let heicIdleTimer: NodeJS.Timeout | undefined;
/**
 * The worker (and the WebAssembly memory a large photo grew, ≈ 100–200 MB) is let go after this
 * long unused; starting it again costs ≈ 0.5 s.
 */
const HEIC_IDLE_MS = 5 * 60_000;

/**
 * The HEIC worker: started on the first HEIC, reused, ended after {@link HEIC_IDLE_MS} without
 * work. It never keeps the process alive (unref) and its console output (libheif
 * prints parse errors) is swallowed.
 */
function heicWorker(): HeicDecoder {
  if (heicDecoder) return heicDecoder;
  const worker = new Worker(new URL('./heic-decode.worker.mjs', import.meta.url), { stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  worker.unref();
  const decoder: HeicDecoder = { worker, pending: new Map() };
  const fail = (err: Error): void => {
    if (heicDecoder === decoder) heicDecoder = null;
    for (const p of decoder.pending.values()) p.reject(err);
    decoder.pending.clear();
  };
  worker.on('message', (answer: HeicAnswer) => {
    const p = decoder.pending.get(answer.id);
    decoder.pending.delete(answer.id);
    p?.resolve(answer);
    if (decoder.pending.size === 0) {
      clearTimeout(heicIdleTimer);
      heicIdleTimer = setTimeout(() => void closeHeicDecoder(), HEIC_IDLE_MS).unref();
    }
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`HEIC decoder stopped (exit code ${code})`)));
  heicDecoder = decoder;
  return decoder;
}

/** Ends the HEIC worker if it runs (tests, shutdown). A later HEIC starts a new one. */
export async function closeHeicDecoder(): Promise<void> {
  clearTimeout(heicIdleTimer);
  const decoder = heicDecoder;
  heicDecoder = null;
  if (decoder) await decoder.worker.terminate();
}

function decodeHeicInWorker(input: Buffer): Promise<HeicAnswer> {
  const { worker, pending } = heicWorker();
  clearTimeout(heicIdleTimer);
  const id = ++heicRequestId;
  // A copy the worker can own (uploads are at most a few MB).
  const copy = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength) as ArrayBuffer;
  return new Promise<HeicAnswer>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, input: copy, maxPixels: RECEIPT_IMAGE_LIMITS.maxInputPixels }, [copy]);
  });
}

/** Decodes the primary image of a HEIC file to a raw-pixel sharp pipeline, checking its size first. */
async function openHeic(input: Buffer): Promise<Sharp> {
  let answer: HeicAnswer;
  try {
    answer = await decodeHeicInWorker(input);
  } catch (err) {
    // The worker died (e.g. ran out of memory): the file is at fault as far as the caller knows.
    throw new ImageRejectedError('corrupt', 'The HEIC image could not be decoded', { cause: err });
  }
  if ('error' in answer) {
    const cause = new Error(answer.message);
    switch (answer.error) {
      case 'too_many_pixels':
        throw new ImageRejectedError('too_many_pixels', `The image is larger than ${RECEIPT_IMAGE_LIMITS.maxInputPixels / 1_000_000} megapixels`, { cause });
      case 'not_heic':
        throw new ImageRejectedError('type_mismatch', 'The file is not a HEIC image', { cause });
      case 'empty':
      case 'corrupt':
        throw new ImageRejectedError('corrupt', 'The HEIC image is damaged or incomplete', { cause });
    }
  }
  const { width, height, pixels } = answer;
  return sharp(Buffer.from(pixels), { raw: { width, height, channels: 4 }, limitInputPixels: RECEIPT_IMAGE_LIMITS.maxInputPixels });
}

/** Opens a JPEG/PNG after checking, from its header only, that it is what was detected and not a bomb. */
async function openRaster(input: Buffer, kind: Exclude<ReceiptImageKind, 'heic'>): Promise<Sharp> {
  let meta: Metadata;
  try {
    // Reads the header only; limitInputPixels is enforced here already.
    meta = await sharp(input, inputOptions()).metadata();
  } catch (err) {
    throw translateSharpError(err);
  }
  if (meta.format !== EXPECTED_FORMAT[kind]) {
    throw new ImageRejectedError('type_mismatch', `The file is not a ${kind.toUpperCase()} image`);
  }
  if (tooManyPixels(meta.width, meta.height)) {
    throw new ImageRejectedError('too_many_pixels', `The image is larger than ${RECEIPT_IMAGE_LIMITS.maxInputPixels / 1_000_000} megapixels`);
  }
  return sharp(input, { ...inputOptions(), autoOrient: true });
}

/**
 * Re-encodes an uploaded receipt photo. `kind` is what content sniffing found
 * (`detectKind` in `content-type.ts`); a file whose decoder disagrees is refused.
 *
 * @throws {ImageRejectedError} bombs, unreadable, mismatched, damaged or too slow images
 */
export async function processReceiptImage(input: Buffer, kind: ReceiptImageKind): Promise<ProcessedReceiptImage> {
  const source = kind === 'heic' ? await openHeic(input) : await openRaster(input, kind);
  let image: { data: Buffer; info: OutputInfo };
  try {
    image = await source
      .timeout({ seconds: RECEIPT_IMAGE_LIMITS.timeoutSeconds })
      .resize({ width: RECEIPT_IMAGE_LIMITS.maxSide, height: RECEIPT_IMAGE_LIMITS.maxSide, fit: 'inside', withoutEnlargement: true })
      // Transparent PNG/HEIC areas become paper white, not black.
      .flatten({ background: '#ffffff' })
      // No keepMetadata/keepExif/keepIccProfile: sharp writes none of EXIF, XMP, IPTC or ICC, and
      // converts pixels from any embedded profile to sRGB first.
      .toColourspace('srgb')
      .jpeg({ ...JPEG_OPTIONS, quality: RECEIPT_IMAGE_LIMITS.quality })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw translateSharpError(err);
  }
  const thumb = await makeThumbnail(image.data);
  return {
    image: image.data,
    contentType: 'image/jpeg',
    width: image.info.width,
    height: image.info.height,
    thumbnail: thumb.data,
    thumbnailWidth: thumb.info.width,
    thumbnailHeight: thumb.info.height,
  };
}

/** Thumbnail from the already-cleaned JPEG (libjpeg shrinks on load, so this is a few ms). */
async function makeThumbnail(jpeg: Buffer): Promise<{ data: Buffer; info: OutputInfo }> {
  try {
    return await sharp(jpeg, inputOptions())
      .resize({ width: RECEIPT_IMAGE_LIMITS.thumbnailSide, height: RECEIPT_IMAGE_LIMITS.thumbnailSide, fit: 'inside', withoutEnlargement: true })
      .jpeg({ ...JPEG_OPTIONS, quality: RECEIPT_IMAGE_LIMITS.thumbnailQuality })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw translateSharpError(err);
  }
}
