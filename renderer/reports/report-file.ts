/**
 * Turns a ReportFile from `jobs.report` into a download. Kept apart from the buttons so the byte
 * handling (base64 for PDF, text for the rest) is testable on its own.
 */
import type { ReportFile } from '../../shared/contract.js';

/** The file's bytes in a Blob of its MIME type; base64 content is decoded, text is kept as UTF-8. */
export function reportBlob(file: ReportFile): Blob {
  if (file.encoding === 'base64') {
    const binary = atob(file.content);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Blob([bytes], { type: file.mimeType });
  }
  return new Blob([file.content], { type: file.mimeType });
}

/**
 * Saves the file through an object URL and an `<a download>`, which both Chromium hosts (Electron's
 * will-download and the headless console's browser) treat as a download with the file's name.
 */
export function downloadReport(file: ReportFile): void {
  const url = URL.createObjectURL(reportBlob(file));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.hidden = true;
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Revoked later, not at once: the browser reads the blob after click() returns.
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }
}
