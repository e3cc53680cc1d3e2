import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConversionError, convertDocxToPdf } from '../../src/server/files/docx-to-pdf.js';

/**
 * LibreOffice is heavy: conversions in one process run one at a time, and a failed one does not
 * stop those queued after it. A stand-in `soffice` (a shell script taking the same arguments)
 * records when each run starts and ends, sleeps, and writes a PDF — or fails for a marked input.
 */
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'soffice-stand-in-'));
const log = path.join(work, 'runs.log');
const soffice = path.join(work, 'soffice');
fs.writeFileSync(soffice, `#!/bin/sh
outdir=""; input=""
while [ $# -gt 0 ]; do
  case "$1" in --outdir) outdir="$2"; shift ;; *.docx) input="$1" ;; esac
  shift
done
echo "start $(date +%s%N)" >> "${log}"
sleep 0.3
if grep -q BROKEN "$input"; then echo "end $(date +%s%N)" >> "${log}"; echo "source file could not be loaded" >&2; exit 1; fi
printf '%%PDF-1.4 converted %s' "$(cat "$input")" > "$outdir/document.pdf"
echo "end $(date +%s%N)" >> "${log}"
`, { mode: 0o755 });
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('DOCX to PDF conversion', () => {
  it('runs one conversion at a time; a failed one does not hold up the rest', async () => {
    const inputs = ['first', 'BROKEN', 'third'];
    const results = await Promise.allSettled(inputs.map((text) => convertDocxToPdf(Buffer.from(text), soffice)));
    expect(results[0]).toMatchObject({ status: 'fulfilled' });
    expect((results[0] as PromiseFulfilledResult<Buffer>).value.toString()).toBe('%PDF-1.4 converted first');
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(ConversionError) });
    expect(String((results[1] as PromiseRejectedResult).reason.message)).toContain('source file could not be loaded');
    expect((results[2] as PromiseFulfilledResult<Buffer>).value.toString()).toBe('%PDF-1.4 converted third');

    // start, end, start, end…: no run began before the previous one ended.
    const events = fs.readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ')[0]);
    expect(events).toEqual(['start', 'end', 'start', 'end', 'start', 'end']);
  });

  it('a missing LibreOffice is a conversion error saying so', async () => {
    await expect(convertDocxToPdf(Buffer.from('x'), path.join(work, 'no-such-soffice'))).rejects.toThrow(/LibreOffice is not installed/);
  });
});
