import { apiGet } from '../../api.js';
import type { DownloadLink } from './types.js';

/**
 * Saves the file behind a same-origin signed link: an `<a download>` click, so the browser keeps
 * the server's file name and treats it as a download even where a PDF would open inline.
 */
export function saveLink(url: string) {
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

/** Your own signed copy, or (administrators) the copy of one assignment. */
export async function downloadSignedCopy(contractId: string, assignmentId?: string) {
  const query = assignmentId ? `?assignment_id=${encodeURIComponent(assignmentId)}` : '';
  const link = await apiGet<DownloadLink>(`/api/v1/contracts/${contractId}/signed-document${query}`);
  saveLink(link.url);
}

/** The current version as uploaded (DOCX stays DOCX). */
export async function downloadOriginal(contractId: string) {
  const link = await apiGet<DownloadLink>(`/api/v1/contracts/${contractId}/download`);
  saveLink(link.url);
}
