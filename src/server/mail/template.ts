/** One accessible e-mail layout for every message the portal sends: text and HTML from the same parts. */
export interface EmailParts {
  /** Shown at the top, e.g. the organization's name. */
  brand?: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Smaller print under the action. */
  footer: string[];
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderEmail(parts: EmailParts): { text: string; html: string } {
  const text = [
    ...(parts.brand ? [parts.brand, ''] : []),
    ...parts.paragraphs.flatMap((p) => [p, '']),
    ...(parts.action ? [`${parts.action.label}: ${parts.action.url}`, ''] : []),
    ...parts.footer.flatMap((p) => [p, '']),
    '— BIG Live Portal',
  ].join('\n');
  const html = `<!doctype html><html lang="en"><body style="font-family:Inter,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a">
${parts.brand ? `<p style="font-weight:600;color:#1976D2">${escapeHtml(parts.brand)}</p>\n` : ''}${parts.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${parts.action ? `<p><a href="${escapeHtml(parts.action.url)}" style="display:inline-block;background:#1565c0;color:#fff;padding:12px 20px;border-radius:4px;text-decoration:none">${escapeHtml(parts.action.label)}</a></p>\n` : ''}${parts.footer.map((p) => `<p style="color:#555;font-size:14px">${escapeHtml(p)}</p>`).join('\n')}
<p>— BIG Live Portal</p></body></html>`;
  return { text, html };
}
