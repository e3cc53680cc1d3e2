// Worker thread for receipt-images.ts: decodes the primary image of a HEIC file to RGBA pixels
// with heic-decode (libheif in WebAssembly). Decoding a 12 MP photo takes about a second of
// synchronous work, so it runs here, away from the server's event loop. Plain JavaScript so it
// loads the same under tsx, Vitest and plain Node.
//
// Request: { id, input: ArrayBuffer, maxPixels }.
// Answer:  { id, width, height, pixels: ArrayBuffer } or { id, error: 'not_heic' | 'empty' |
//          'too_many_pixels' | 'corrupt', message }.
import { parentPort } from 'node:worker_threads';
import decode from 'heic-decode';

async function handle({ id, input, maxPixels }) {
  let images;
  try {
    images = await decode.all({ buffer: new Uint8Array(input) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { id, error: err instanceof TypeError && /not a HEIC/i.test(message) ? 'not_heic' : 'corrupt', message };
  }
  try {
    const primary = images[0];
    if (!primary) return { id, error: 'empty', message: 'no image in the file' };
    // Sizes come from the container (ispe box): checked before any pixel is decoded.
    const { width, height } = primary;
    if (!(width > 0 && height > 0) || width * height > maxPixels) {
      return { id, error: 'too_many_pixels', message: `${width}x${height}` };
    }
    const decoded = await primary.decode();
    if (decoded.data.byteLength !== decoded.width * decoded.height * 4) {
      return { id, error: 'corrupt', message: 'decoded size does not match' };
    }
    return { id, width: decoded.width, height: decoded.height, pixels: decoded.data.buffer };
  } catch (err) {
    return { id, error: 'corrupt', message: err instanceof Error ? err.message : String(err) };
  } finally {
    images.dispose?.();
  }
}

parentPort.on('message', (request) => {
  void handle(request).then((answer) => {
    parentPort.postMessage(answer, answer.pixels ? [answer.pixels] : []);
  });
});
