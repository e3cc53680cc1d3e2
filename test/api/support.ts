import { strToU8, zipSync } from 'fflate';
import { expect } from 'vitest';

/** What `inject()` answers, reduced to what the API tests look at. */
export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
  json(): unknown;
}

/** Asserts an RFC 7807 problem with the given status and type and returns its body. */
export function expectProblem(res: Answer, status: number, type?: string): Record<string, unknown> {
  expect(res.statusCode, res.body.slice(0, 500)).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body.status).toBe(status);
  if (type) expect(body.type).toBe(type);
  for (const field of ['type', 'title', 'detail', 'instance'] as const) expect(typeof body[field]).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|SELECT |INSERT |"stack"/i);
  return body;
}

/** The parts of a problem that must not depend on why a resource is missing. */
export function problemShape(res: Answer) {
  const body = res.json() as Record<string, unknown>;
  return { status: res.statusCode, type: body.type, title: body.title, detail: body.detail, errors: body.errors };
}

export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

export interface FilePart {
  /** Sent as `filename="…"` when it is plain ASCII, otherwise as RFC 5987 `filename*=UTF-8''…`. */
  filename: string;
  contentType?: string;
  data: Buffer;
  field?: string;
}

/** A multipart/form-data body built by hand: one part per file, then optional text fields. */
export function multipart(files: FilePart[], fields: Record<string, string> = {}) {
  const boundary = `----test${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    const plain = /^[\x20-\x7e]*$/.test(f.filename) && !f.filename.includes('"');
    const disposition = plain ? `filename="${f.filename}"` : `filename*=UTF-8''${encodeURIComponent(f.filename)}`;
    chunks.push(Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'file'}"; ${disposition}\r\n` +
      `Content-Type: ${f.contentType ?? 'application/octet-stream'}\r\n\r\n`,
    ));
    chunks.push(f.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A minimal Word document: content types first and stored uncompressed, as Word writes them. */
function minimalDocx(): Buffer {
  const contentTypes = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
  const document = '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Deal memo: the Artist plays Lady Macbeth.</w:t></w:r></w:p></w:body></w:document>';
  const rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';
  return Buffer.from(zipSync({ '[Content_Types].xml': strToU8(contentTypes), '_rels/.rels': strToU8(rels), 'word/document.xml': strToU8(document) }, { level: 0 }));
}

/** Small but real files of each accepted kind. */
export const samples = {
  docx: minimalDocx(),
  pdf: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'),
  png: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'),
  jpg: Buffer.from(
    '/9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
    'base64',
  ),
};
