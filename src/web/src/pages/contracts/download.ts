import { apiGet, saveLink, type DownloadLink } from '../../api.js';

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
