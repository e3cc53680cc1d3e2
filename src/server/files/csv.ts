/** CSV documents (personal data exports, expense exports, bank payment files). */

/**
 * One CSV cell, safe to open in a spreadsheet: a value starting with = + - @, a tab, a carriage
 * return or NUL (or the full-width forms ＝ ＋ － ＠) gets a leading apostrophe so it is shown as text
 * instead of being run as a formula (OWASP "CSV injection"); then RFC 4180 quoting.
 */
export function csvCell(value: unknown): string {
  let s: string;
  if (value === null || value === undefined) s = '';
  else if (value instanceof Date) s = value.toISOString();
  else if (Array.isArray(value)) s = value.map((v) => String(v)).join('; ');
  else if (typeof value === 'object') s = JSON.stringify(value);
  else s = String(value);
  if (/^[=+\-@\t\r\0\uFF1D\uFF0B\uFF0D\uFF20]/.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s)) s = `"${s.replaceAll('"', '""')}"`;
  return s;
}

/** A CSV document (UTF-8 with BOM so spreadsheets detect the encoding, CRLF line ends). */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
