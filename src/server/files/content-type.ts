import { fileTypeFromBuffer } from 'file-type';

/** File kinds the portal accepts, recognised by their first bytes, never by name or client header. */
export const FILE_KINDS = {
  pdf: { mime: 'application/pdf', inline: true },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', inline: false },
  jpg: { mime: 'image/jpeg', inline: false },
  png: { mime: 'image/png', inline: false },
  heic: { mime: 'image/heic', inline: false },
} as const;

export type FileKind = keyof typeof FILE_KINDS;

export async function detectKind(head: Buffer, allowed: readonly FileKind[]): Promise<FileKind | null> {
  const found = await fileTypeFromBuffer(head);
  if (!found) return null;
  const ext = found.ext as string;
  return (allowed as readonly string[]).includes(ext) ? (ext as FileKind) : null;
}

/**
 * A file name safe to store and to put in a header: no path parts, control or bidi-override
 * characters, at most 255 bytes.
 */
export function safeFileName(raw: string | undefined, fallbackExt: string): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  let name = base.normalize('NFC').replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069"]/g, '').replace(/^\.+/, '').trim();
  // Cut whole code points (never half a surrogate pair), starting from at most 255 of them so a
  // huge name costs no more than a short one.
  const chars = Array.from(name).slice(0, 255);
  while (Buffer.byteLength(chars.join('')) > 255) chars.pop();
  name = chars.join('').trim();
  return name || `file.${fallbackExt}`;
}

export function contentDisposition(kind: FileKind, name: string): string {
  const type = FILE_KINDS[kind].inline ? 'inline' : 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
