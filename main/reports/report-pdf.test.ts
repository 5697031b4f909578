/**
 * The PDF report of real jobs (verify runs by a real engine over GDAL-made caches), read back
 * with poppler's pdftotext and pdftoppm (poppler-utils), and written by the `tessera` command.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { type Db, openDatabase } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { Catalog } from '../catalog/catalog.js';
import { HOSTILE_NAME, type ReportJobs, UNICODE_NAME, runReportJobs } from '../testing/report-jobs.js';
import { buildReport, gatherReport } from './report.js';
import { pdfReport, pdfText } from './report-pdf.js';

const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tessera-report-pdf-'));
let jobs: ReportJobs;
let db: Db;
let store: JobStore;
let files = 0;

before(async () => {
  assert.equal(spawnSync('pdftotext', ['-v']).error, undefined, 'pdftotext is missing: install poppler-utils (.ci/setup lists it)');
  jobs = await runReportJobs(root);
  db = openDatabase(join(jobs.dataDir, 'jobs.sqlite'));
  store = new JobStore(db);
});
after(() => {
  db?.close();
  rmSync(root, { recursive: true, force: true });
});

async function pdf(id: number, catalog?: Catalog): Promise<Buffer> {
  const report = await buildReport(store, id, 'pdf', catalog);
  assert.deepEqual([report.fileName, report.mimeType, report.encoding], [`tessera-job-${id}.pdf`, 'application/pdf', 'base64']);
  return Buffer.from(report.content, 'base64');
}

function writePdf(bytes: Buffer): string {
  const file = join(root, `r${++files}.pdf`);
  writeFileSync(file, bytes);
  return file;
}

/** The text of each page, as poppler reads it; poppler must not complain about the file. */
function pages(bytes: Buffer): string[] {
  const file = writePdf(bytes);
  const run = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '', 'poppler reports no syntax errors');
  return run.stdout.split('\f').slice(0, -1);
}

test('a partial job: name, summary, parameters, item errors, every bad tile, timeline, page numbers', async () => {
  const bytes = await pdf(jobs.damaged);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  const text = pages(bytes).join('\n');
  assert.match(text, new RegExp(`Job ${jobs.damaged}\\s+${HOSTILE_NAME.replace(/[()"]/g, '\\$&')}`), 'the name, as text');
  assert.ok(text.includes('PARTIAL'));
  for (const item of store.listItems(jobs.damaged, { states: ['failed'] }).rows) {
    assert.match(text, new RegExp(`${item.label}\\s+${item.error!.code}\\s+${item.error!.message}`), item.label);
  }
  for (const tile of jobs.damagedTiles) assert.match(text, new RegExp(`${tile}\\s+corrupt`), tile);
  assert.match(text, /maxTileBytes\s+512000/);
  assert.match(text, /Tiles\s+41 of 41 done, 5 bad/);
  assert.ok(text.includes('11.00°E – 12.00°E, 57.00°N – 58.00°N'));
  assert.match(text, /state\.partial\s+running → partial/);
  assert.match(text, /Page 1 of \d/);
});

test('2,000 tile issues: many pages, the table header on each, the first 500 listed, still small', async () => {
  const bytes = await pdf(jobs.many);
  const all = pages(bytes);
  assert.ok(all.length >= 5, `${all.length} pages`);
  assert.ok(bytes.byteLength < 150_000, `${bytes.byteLength} bytes`);
  all.forEach((page, i) => assert.match(page, new RegExp(`Page ${i + 1} of ${all.length}`), `page ${i + 1}`));
  // Every page after the first one that the issue table runs onto repeats its header.
  const withIssues = all.map((p, i) => [i, /16\/\d+\/\d+\s+corrupt/.test(p), p.includes('TILE (Z/X/Y)')] as const).filter(([, has]) => has);
  assert.ok(withIssues.length >= 5);
  for (const [i, , header] of withIssues) assert.ok(header, `the header repeats on page ${i + 1}`);
  const text = all.join('\n');
  assert.equal((text.match(/16\/\d+\/\d+\s+corrupt/g) ?? []).length, 500);
  assert.ok(text.includes('… and 1,500 more in the JSON report.'));
  assert.ok(text.includes('derived from the tiles at z16'));

  // The first page renders (poppler rasterises it without complaint).
  const file = join(root, 'many.pdf');
  writeFileSync(file, bytes);
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, join(root, 'page')]);
  const png = readFileSync(join(root, `page-${String(1).padStart(String(all.length).length, '0')}.png`));
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
});

test('a long event log is cut in the middle; an unknown extent; text the font cannot show', async () => {
  const data = gatherReport(store, jobs.damaged);
  const template = data.events[0]!;
  data.events = Array.from({ length: 1000 }, (_, i) => ({ ...template, id: i + 1, type: 'item.retry', message: `attempt ${i + 1} → Ωmega Łódź 東京` }));
  const verify = data.job;
  assert.ok(verify.kind === 'verify');
  data.job = { ...verify, params: { ...verify.params, cache: join(root, 'moved-away.mbtiles') } };
  const text = pages(await pdfReport(data)).join('\n');
  assert.match(text, /attempt 60 → Ωmega Łódź \[U\+6771\sU\+4EAC\]/);
  assert.ok(!text.includes('attempt 61 '));
  assert.ok(text.includes('… 900 events left out here; the JSON report has the whole log.'));
  assert.ok(text.includes('attempt 961 ') && text.includes('attempt 1000 '));
  assert.ok(text.includes('Extent unknown'));
  assert.match(text, /the cache cannot be opened: no such file or directory/);
  assert.match(text, /Characters the PDF's font \(DejaVu Sans\) has no glyph for/);
});

test('pdfText keeps Latin, Greek and Cyrillic and arrows, and spells CJK as code points', () => {
  assert.equal(pdfText('Zürich – “ok” … €5 ½'), 'Zürich – “ok” … €5 ½');
  assert.equal(pdfText('a → b ≤ c'), 'a → b ≤ c');
  assert.equal(pdfText('Łódź Москва Ελλάδα 東京'), 'Łódź Москва Ελλάδα [U+6771\u00a0U+4EAC]');
  assert.equal(pdfText('line\nbreak\ttab\u0007bell'), 'line break tabbell');
});

test("a raster preseed: the output's extent drawn with numbers, its items' footprints, a name in four scripts", async () => {
  const bytes = await pdf(jobs.raster);
  const [first, ...rest] = pages(bytes);
  const text = [first, ...rest].join('\n');
  assert.ok(!text.includes('Extent unknown'), 'no more "Extent unknown" for a preseed');
  assert.ok(!text.includes('names no tile cache'));
  // The heading and the extent in numbers under the map: SP27GTIF.tif (Illinois) to the hillshade (Sweden).
  assert.match(first!, /Extent/);
  assert.match(text, /87\.\d\d°W – 12\.00°E, 41\.\d\d°N – 58\.00°N/);
  assert.match(text, /declared by the output \(mbtiles metadata\)/);
  assert.match(text, /Footprints of its 2 items:\s+1 SP27GTIF\.tif\s+2 hillshade\.tif/);
  // Latin with accents, Cyrillic, Greek and the arrow as themselves; CJK as code points, said once.
  assert.ok(text.includes('Zürich → Москва, Ελλάδα'), 'the name as text');
  assert.match(text, /\[U\+6771\sU\+4EAC\]/);
  assert.ok(!/\?{2}|->/.test(text), 'no "?" for letters, no "->" for arrows');
  assert.match(text, /printed as their code\s+points/);
  // Units as the console's; file names whole in the items table.
  assert.match(text, /Data\s+[\d.]+ KiB/);
  assert.doesNotMatch(text, /\d (KB|MB|GB)\b/);
  assert.match(text, /SP27GTIF\.tif\s+succeeded/);
  assert.match(text, /hillshade\.tif\s+succeeded/);
  // The document's title keeps every character.
  const info = spawnSync('pdfinfo', [writePdf(bytes)], { encoding: 'utf8' });
  assert.ok(info.stdout.includes(`Tessera job ${jobs.raster} – ${UNICODE_NAME}`), info.stdout);
  // The font is embedded, a subset of DejaVu Sans; no base-14 Helvetica is left.
  const fonts = spawnSync('pdffonts', [writePdf(bytes)], { encoding: 'utf8' }).stdout;
  assert.match(fonts, /DejaVuSans\s/);
  assert.doesNotMatch(fonts, /Helvetica/);
});

test('a vector preseed: the extent of its PMTiles output; an ingest: the dataset it made', async () => {
  const vector = pages(await pdf(jobs.vector)).join('\n');
  assert.ok(!vector.includes('Extent unknown'));
  assert.match(vector, /\d\.\d\d°W – \d\.\d\d°W, 5\d\.\d\d°N – 6\d\.\d\d°N/, 'Scotland');
  assert.match(vector, /declared by the output \(pmtiles header\)/);
  assert.match(vector, /The footprint of its item:\s+1 scot_BNG\.shp/);

  const ingest = pages(await pdf(jobs.ingest, new Catalog(db, jobs.dataDir))).join('\n');
  assert.match(ingest, /22\.94°E – 25\.13°E, 35\.34°N – 40\.64°N/);
  assert.match(ingest, /of the datasets it made/);
  assert.match(ingest, /the dataset Ελλάδα \(#\d+\) in the catalogue/);
});

test('the first page of a preseed report renders (poppler rasterises it)', async () => {
  const file = writePdf(await pdf(jobs.raster));
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, join(root, 'raster-page')]);
  assert.equal(readFileSync(join(root, 'raster-page.png')).subarray(1, 4).toString('latin1'), 'PNG');
});

test('tessera jobs report --format pdf -o FILE, after the engine has closed', () => {
  const out = join(root, 'out.pdf');
  const stdout = execFileSync(
    process.execPath,
    [bin, 'jobs', 'report', String(jobs.damaged), '--format', 'pdf', '-o', out, '--data-dir', jobs.dataDir, '--json'],
    { encoding: 'utf8' },
  );
  const doc = JSON.parse(stdout) as { fileName: string; mimeType: string; bytes: number };
  assert.deepEqual([doc.fileName, doc.mimeType], [`tessera-job-${jobs.damaged}.pdf`, 'application/pdf']);
  const bytes = readFileSync(out);
  assert.equal(bytes.byteLength, doc.bytes);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pages(bytes).join('\n').includes(HOSTILE_NAME));
});
