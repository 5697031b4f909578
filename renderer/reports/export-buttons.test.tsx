/**
 * The report buttons: each asks jobs.report for its format and saves the answer as a Blob of the
 * report's type through an object URL (stubbed: jsdom has none) and an <a download>.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { ReportFile, ReportFormat } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { type Mounted, byText, click, mount, waitFor } from '../testing/mount.js';
import { ExportButtons } from './export-buttons.js';
import { reportBlob } from './report-file.js';

const PDF_BYTES = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0xe2, 0xe3, 0xcf, 0xd3, 0x00, 0xff]);

function report(id: number, format: ReportFormat): ReportFile {
  const base = `tessera-job-${id}`;
  switch (format) {
    case 'json':
      return { fileName: `${base}.json`, mimeType: 'application/json', encoding: 'utf8', content: JSON.stringify({ job: { id }, items: [], tileIssues: [] }) };
    case 'csv':
      return { fileName: `${base}.csv`, mimeType: 'text/csv', encoding: 'utf8', content: 'item,state\r\nz10,failed\r\n' };
    case 'html':
      return { fileName: `${base}.html`, mimeType: 'text/html', encoding: 'utf8', content: '<!doctype html><title>Job 12 — vérifié</title>' };
    case 'pdf':
      return { fileName: `${base}.pdf`, mimeType: 'application/pdf', encoding: 'base64', content: btoa(String.fromCharCode(...PDF_BYTES)) };
  }
}

/** A Blob's bytes (jsdom's Blob has no text() or arrayBuffer(), but FileReader works). */
function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}

const textOf = async (blob: Blob) => new TextDecoder().decode(await bytesOf(blob));

let mounted: Mounted | null = null;
/** What each download got: the Blob behind the object URL and the anchor's file name. */
let downloads: { blob: Blob; fileName: string; url: string }[] = [];
let revoked: string[] = [];

beforeEach(() => {
  downloads = [];
  revoked = [];
  const blobs = new Map<string, Blob>();
  let n = 0;
  // jsdom has neither object URLs nor downloads: both are stubbed, and the anchor's click recorded.
  URL.createObjectURL = vi.fn((blob: Blob) => {
    const url = `blob:test/${++n}`;
    blobs.set(url, blob);
    return url;
  });
  URL.revokeObjectURL = vi.fn((url: string) => void revoked.push(url));
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    expect(this.isConnected).toBe(true);
    downloads.push({ blob: blobs.get(this.href)!, fileName: this.download, url: this.href });
  });
});

afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const button = (label: string) => byText<HTMLButtonElement>(mounted!.container, 'button', label)!;

test('each button requests its format and downloads a Blob of the report’s type under its file name', async () => {
  mounted = await mount(<ExportButtons jobId={12} />, { 'jobs.report': ({ id, format }) => report(id, format) });
  expect([...mounted.container.querySelectorAll('[role="group"] button')].map((b) => b.textContent)).toEqual(['JSON', 'CSV', 'HTML', 'PDF']);

  for (const [label, format] of [
    ['JSON', 'json'],
    ['CSV', 'csv'],
    ['HTML', 'html'],
    ['PDF', 'pdf'],
  ] as const) {
    await click(button(label));
    await waitFor(`the ${label} download`, () => downloads.length === mounted!.callsTo('jobs.report').length && !button(label).disabled);
    expect(mounted.callsTo('jobs.report').at(-1)).toEqual({ id: 12, format });
  }

  expect(downloads.map((d) => [d.fileName, d.blob.type])).toEqual([
    ['tessera-job-12.json', 'application/json'],
    ['tessera-job-12.csv', 'text/csv'],
    ['tessera-job-12.html', 'text/html'],
    ['tessera-job-12.pdf', 'application/pdf'],
  ]);
  expect(JSON.parse(await textOf(downloads[0]!.blob))).toEqual({ job: { id: 12 }, items: [], tileIssues: [] });
  expect(await textOf(downloads[1]!.blob)).toBe('item,state\r\nz10,failed\r\n');
  // Text stays UTF-8; the PDF's base64 becomes its exact bytes, not their text.
  expect(await textOf(downloads[2]!.blob)).toContain('vérifié');
  expect(await bytesOf(downloads[3]!.blob)).toEqual(PDF_BYTES);
  // The anchors are gone again.
  expect(document.querySelectorAll('a[download]')).toHaveLength(0);
});

test('the object URL is revoked once the browser has had time to read it', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout'] });
  mounted = await mount(<ExportButtons jobId={3} />, { 'jobs.report': ({ id, format }) => report(id, format) });
  await click(button('CSV'));
  await vi.waitFor(() => expect(downloads).toHaveLength(1));
  expect(revoked).toEqual([]);
  vi.advanceTimersByTime(30_000);
  expect(revoked).toEqual([downloads[0]!.url]);
});

test('a report that cannot be made shows why, and nothing is downloaded', async () => {
  mounted = await mount(<ExportButtons jobId={99} />, {
    'jobs.report': ({ id }) => {
      throw new TesseraError('NOT_FOUND', `job ${id} does not exist`);
    },
  });
  await click(button('PDF'));
  const alert = await waitFor('the alert', () => mounted!.container.querySelector('[role="alert"]'));
  expect(alert.textContent).toBe('Could not export the PDF report: job 99 does not exist');
  expect(downloads).toEqual([]);
});

test('reportBlob decodes base64 and keeps text as it is', async () => {
  const blob = reportBlob({ fileName: 'x.pdf', mimeType: 'application/pdf', encoding: 'base64', content: 'JVBERi0=' });
  expect(blob.type).toBe('application/pdf');
  expect(await textOf(blob)).toBe('%PDF-');
});
