/**
 * PDF.js, loaded only with the contract viewer (its own chunk). The worker is a file of this app
 * (Vite's `?url` import), so the viewer works offline and under the portal's CSP (worker-src
 * 'self'); eval is switched off for the same CSP.
 */
import { getDocument, GlobalWorkerOptions, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

export type { PDFDocumentProxy };

/** Opens the PDF at `url` (a same-origin signed link); `cancel` stops loading and frees the worker. */
export function openPdf(url: string): { promise: Promise<PDFDocumentProxy>; cancel: () => void } {
  const task = getDocument({ url, isEvalSupported: false, enableXfa: false });
  return { promise: task.promise, cancel: () => void task.destroy() };
}
