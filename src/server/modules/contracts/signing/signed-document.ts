import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import { AppError } from '../../../http/errors.js';
import type { SigningIdentity } from './certificate.js';
import { PadesSigner } from './pades-signer.js';

export type SignatureMark = { kind: 'typed'; name: string } | { kind: 'drawn'; png: Buffer };

/** Everything the signature certificate page states. */
export interface SignatureEvidence {
  organizationName: string;
  contractTitle: string;
  version: number;
  /** SHA-256 of the document as uploaded (the version being signed). */
  documentSha256: string;
  /** SHA-256 of its PDF rendition, when the upload was a Word document. */
  renditionSha256: string | null;
  signer: { name: string; email: string };
  mark: SignatureMark;
  consentText: string;
  consentAt: Date;
  signedAt: Date;
  ip: string;
  userAgent: string;
  /** The assignment's history, oldest first. */
  trail: Array<{ at: Date; event: string }>;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const INK = rgb(0.1, 0.12, 0.16);
const MUTED = rgb(0.35, 0.38, 0.42);
const BLUE = rgb(0.098, 0.463, 0.824); // Portal Blue #1976D2
const SIGNATURE_SPACE = 8192;
const MAX_SIGNATURE_PIXELS = { width: 2400, height: 1200 };

/**
 * Standard PDF fonts only know Windows-1252: letters outside it become their base letter
 * (ł → l is not decomposable, so "?"), never an exception halfway through a signature.
 */
function printable(text: string, font: PDFFont): string {
  let out = '';
  for (const ch of text.replace(/[\r\n\t]+/g, ' ')) {
    if (encodable(ch, font)) out += ch;
    else {
      const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base && [...base].every((c) => encodable(c, font)) ? base : '?';
    }
  }
  return out;
}

function encodable(ch: string, font: PDFFont): boolean {
  try {
    font.encodeText(ch);
    return true;
  } catch {
    return false;
  }
}

/** Top-down text layout that wraps lines and starts a new page when one is full. */
class PageWriter {
  private page: PDFPage;
  private y: number;

  constructor(private readonly doc: PDFDocument, private readonly fonts: { regular: PDFFont; bold: PDFFont; script: PDFFont }) {
    this.page = doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  get current() {
    return { page: this.page, y: this.y };
  }

  ensure(height: number) {
    if (this.y - height < MARGIN) {
      this.page = this.doc.addPage(A4);
      this.y = A4[1] - MARGIN;
    }
  }

  gap(points: number) {
    this.y -= points;
  }

  text(value: string, { size = 10, bold = false, color = INK, indent = 0 } = {}) {
    const font = bold ? this.fonts.bold : this.fonts.regular;
    const width = A4[0] - 2 * MARGIN - indent;
    for (const line of wrap(printable(value, font), font, size, width)) {
      this.ensure(size * 1.45);
      this.y -= size * 1.45;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y, size, font, color });
    }
  }

  field(label: string, value: string) {
    this.text(label, { size: 8, color: MUTED });
    this.text(value, { size: 10 });
    this.gap(4);
  }

  rule() {
    this.gap(6);
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: A4[0] - MARGIN, y: this.y }, thickness: 0.5, color: MUTED });
    this.gap(10);
  }

  /** Moves down by `height` and returns the bottom-left corner of the space. */
  reserve(height: number) {
    this.ensure(height);
    this.y -= height;
    return { page: this.page, x: MARGIN, y: this.y };
  }
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    // A single word wider than the line (a user agent, a hash) is cut where it must be.
    let rest = word;
    while (font.widthOfTextAtSize(rest, size) > width) {
      let cut = rest.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

/** PNG dimensions from its header, checked before any pixel is decoded (no image bombs). */
function checkSignatureImage(png: Buffer) {
  const isPng = png.length > 24 && png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && png.subarray(12, 16).toString('latin1') === 'IHDR';
  if (!isPng) throw new AppError('validation_error', 'The drawn signature must be a PNG image', [{ field: 'body.signature.image', message: 'Not a PNG' }]);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  if (!width || !height || width > MAX_SIGNATURE_PIXELS.width || height > MAX_SIGNATURE_PIXELS.height) {
    throw new AppError('validation_error', `The drawn signature may be at most ${MAX_SIGNATURE_PIXELS.width}×${MAX_SIGNATURE_PIXELS.height} pixels`, [{ field: 'body.signature.image', message: 'Image too large' }]);
  }
}

/** The document to sign; one pdf-lib cannot read (encrypted, damaged) is the uploader's to replace. */
export async function loadOriginal(original: Buffer): Promise<PDFDocument> {
  try {
    return await PDFDocument.load(original, { updateMetadata: false });
  } catch {
    throw new AppError('document_not_ready', 'The document cannot be read as a PDF (it may be encrypted or damaged); upload a new version');
  }
}

function stamp(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')}`;
}

/**
 * The signed document: the original pages, then a signature certificate page, sealed with a
 * PAdES signature by the organization's certificate over the whole file.
 */
export async function buildSignedPdf(original: Buffer, evidence: SignatureEvidence, identity: SigningIdentity): Promise<Buffer> {
  if (evidence.mark.kind === 'drawn') checkSignatureImage(evidence.mark.png);
  const doc = await loadOriginal(original);
  const fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    script: await doc.embedFont(StandardFonts.TimesRomanItalic),
  };
  const w = new PageWriter(doc, fonts);
  w.text('Signature certificate', { size: 18, bold: true, color: BLUE });
  w.text(`${evidence.organizationName} · BIG Live Portal`, { size: 10, color: MUTED });
  w.rule();

  w.field('Document', `${evidence.contractTitle} (version ${evidence.version})`);
  w.field('Document SHA-256 (as uploaded)', evidence.documentSha256);
  if (evidence.renditionSha256) w.field('PDF rendition SHA-256 (the pages above)', evidence.renditionSha256);
  w.field('Signer', `${evidence.signer.name} <${evidence.signer.email}>`);
  w.field('Signed at', stamp(evidence.signedAt));
  w.field('IP address', evidence.ip);
  w.field('Device (user agent)', evidence.userAgent || 'not given');
  w.field('Consent to sign electronically', `${stamp(evidence.consentAt)}: "${evidence.consentText}"`);

  w.text(evidence.mark.kind === 'typed' ? 'Signature (typed)' : 'Signature (drawn)', { size: 8, color: MUTED });
  const box = w.reserve(80);
  box.page.drawRectangle({ x: box.x, y: box.y, width: 260, height: 76, borderColor: MUTED, borderWidth: 0.5 });
  if (evidence.mark.kind === 'typed') {
    box.page.drawText(printable(evidence.mark.name, fonts.script), { x: box.x + 12, y: box.y + 28, size: 26, font: fonts.script, color: INK });
  } else {
    const image = await doc.embedPng(evidence.mark.png);
    const scale = Math.min(240 / image.width, 64 / image.height, 1);
    box.page.drawImage(image, { x: box.x + 10, y: box.y + 6, width: image.width * scale, height: image.height * scale });
  }
  w.gap(8);
  w.rule();

  w.text('Audit trail', { size: 12, bold: true });
  w.gap(2);
  for (const entry of evidence.trail) w.text(`${stamp(entry.at)}   ${entry.event}`, { size: 9 });
  w.rule();
  w.text(
    `This document is sealed with a digital signature (PAdES) by the certificate of ${evidence.organizationName} ` +
      `(${identity.subject}; SHA-256 fingerprint ${identity.fingerprint}). Any change to the file after signing invalidates it.`,
    { size: 8, color: MUTED },
  );

  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: `Signed by ${printable(evidence.signer.name, fonts.regular)}`,
    contactInfo: printable(evidence.signer.email, fonts.regular),
    name: printable(evidence.organizationName, fonts.regular),
    location: 'BIG Live Portal',
    signingTime: evidence.signedAt,
    signatureLength: SIGNATURE_SPACE,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'BIG Live Portal',
  });
  // Object streams would hide the placeholder from @signpdf's byte-range search.
  const prepared = Buffer.from(await doc.save({ useObjectStreams: false }));
  return new SignPdf().sign(prepared, new PadesSigner(identity), evidence.signedAt);
}
