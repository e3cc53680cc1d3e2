import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A document LibreOffice could not turn into a PDF (or LibreOffice is missing): retrying will not help. */
export class ConversionError extends Error {}

const run = (file: string, args: string[], timeoutMs: number) => new Promise<void>((resolve, reject) => {
  execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
    if (!err) return resolve();
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new ConversionError(`LibreOffice is not installed (${file} not found)`));
    if (err.killed) return reject(new ConversionError(`LibreOffice did not finish within ${Math.round(timeoutMs / 1000)} s`));
    reject(new ConversionError(`LibreOffice failed: ${String(stderr).trim().slice(0, 300) || err.message}`));
  });
});

let queue: Promise<unknown> = Promise.resolve();

/**
 * DOCX → PDF with LibreOffice headless. One conversion at a time in this process (LibreOffice is
 * heavy), each with its own throw-away profile so nothing is shared between runs.
 */
export function convertDocxToPdf(docx: Buffer, soffice: string, timeoutMs = 120_000): Promise<Buffer> {
  const next = queue.then(() => convertNow(docx, soffice, timeoutMs));
  queue = next.catch(() => undefined);
  return next;
}

async function convertNow(docx: Buffer, soffice: string, timeoutMs: number): Promise<Buffer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bigportal-docx-'));
  try {
    const input = path.join(dir, 'document.docx');
    await fs.writeFile(input, docx, { mode: 0o600 });
    await run(soffice, [
      '--headless', '--norestore', '--nolockcheck', '--nodefault',
      `-env:UserInstallation=${pathToFileURL(path.join(dir, 'profile')).href}`,
      '--convert-to', 'pdf', '--outdir', dir, input,
    ], timeoutMs);
    const pdf = await fs.readFile(path.join(dir, 'document.pdf')).catch(() => null);
    if (!pdf || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new ConversionError('LibreOffice produced no PDF (the document may be damaged)');
    return pdf;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
