/**
 * The printable HTML report of real jobs: verify runs by a real engine over GDAL-made caches, read
 * back from the job store as the CLI reads it, and through the `tessera` command itself.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { type Db, openDatabase } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { Catalog } from '../catalog/catalog.js';
import { HOSTILE_FILE, HOSTILE_NAME, type ReportJobs, UNICODE_NAME, runReportJobs } from '../testing/report-jobs.js';
import { buildReport, gatherReport } from './report.js';
import { htmlReport } from './report-html.js';
import { thumbnail, tileRangeBounds } from './report-parts.js';

const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tessera-report-html-'));
let jobs: ReportJobs;
let db: Db;
let store: JobStore;

before(async () => {
  jobs = await runReportJobs(root);
  db = openDatabase(join(jobs.dataDir, 'jobs.sqlite'));
  store = new JobStore(db);
});
after(() => {
  db?.close();
  rmSync(root, { recursive: true, force: true });
});

const html = async (id: number, catalog?: Catalog) => {
  const report = await buildReport(store, id, 'html', catalog);
  assert.deepEqual([report.fileName, report.mimeType, report.encoding], [`tessera-job-${id}.html`, 'text/html', 'utf8']);
  return report.content;
};
const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The extent rectangle's box coordinates, as drawn in the page's SVG. */
function extentRect(page: string): { x: number; y: number; width: number; height: number } {
  const tag = /<rect class="extent"[^>]*>/.exec(page)?.[0];
  assert.ok(tag, 'an extent rectangle');
  const attr = (name: string) => Number(new RegExp(` ${name}="([-\\d.]+)"`).exec(tag)![1]);
  return { x: attr('x'), y: attr('y'), width: attr('width'), height: attr('height') };
}

test('a partial job: its name escaped, item errors, every bad tile, parameters, timings, timeline', async () => {
  const page = await html(jobs.damaged);
  assert.equal(store.getJob(jobs.damaged).state, 'partial');
  assert.match(page, /^<!doctype html>\n<html lang="en">/);
  assert.ok(page.trimEnd().endsWith('</html>'));

  // The hostile name and cache path arrive as text only.
  assert.ok(page.includes(`<title>Tessera job ${jobs.damaged} – ${escaped(HOSTILE_NAME)}</title>`));
  assert.ok(page.includes(`<span class="name">${escaped(HOSTILE_NAME)}</span>`));
  assert.ok(page.includes(escaped(HOSTILE_FILE)));
  assert.ok(!page.includes(HOSTILE_NAME) && !page.includes(HOSTILE_FILE));
  assert.doesNotMatch(page, /<script|<b>|onerror/i);

  const failed = store.listItems(jobs.damaged, { states: ['failed'] }).rows;
  assert.ok(failed.length > 0);
  for (const item of failed) {
    assert.ok(
      page.includes(`<td>${escaped(item.label)}</td><td class="mono code">${item.error!.code}</td><td>${escaped(item.error!.message)}</td>`),
      item.label,
    );
  }
  for (const tile of jobs.damagedTiles) assert.ok(page.includes(`<td class="mono nowrap">${tile}</td>`), tile);
  assert.ok(page.includes('<td class="mono key">maxTileBytes</td><td class="mono">512000</td>'));
  assert.ok(page.includes('<td class="mono key">cache</td>'));
  assert.ok(page.includes('<div class="state state-partial">partial</div>'));
  for (const item of store.listItems(jobs.damaged).rows)
    assert.ok(page.includes(`<td>${item.label}</td><td class="item-state state-text-${item.state}">${item.state}</td>`));
  for (const type of ['created', 'planned', 'item.failed', 'state.partial']) assert.ok(page.includes(`<td class="mono nowrap">${type}</td>`), type);
  assert.ok(page.includes('5 corrupt'));
});

test('the extent thumbnail: the hillshade (lon 11–12, lat 57–58) drawn where it is', async () => {
  const page = await html(jobs.damaged);
  assert.equal((page.match(/<svg /g) ?? []).length, 1);
  assert.ok(page.includes('11.00°E – 12.00°E, 57.00°N – 58.00°N'));
  assert.ok(page.includes('declared by the cache (mbtiles metadata)'));
  const rect = extentRect(page);
  const expected = thumbnail([11, 57, 12, 58], 340, 250).extent;
  for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(rect[k] - expected[k]) < 0.5, `${k}: ${rect[k]} vs ${expected[k]}`);
  // In the middle of the box, a degree of longitude cos(57.5°) as wide as one of latitude is tall.
  assert.ok(Math.abs(rect.x + rect.width / 2 - 170) < 1 && Math.abs(rect.y + rect.height / 2 - 125) < 1);
  assert.ok(Math.abs(rect.width / rect.height - Math.cos((57.5 * Math.PI) / 180)) < 0.02);
  // The land around it is drawn (Sweden, Norway, Denmark).
  const land = /<path class="land" d="([^"]*)"/.exec(page)?.[1] ?? '';
  assert.ok((land.match(/M/g) ?? []).length >= 5, 'several land rings');
});

test('2,000 tile issues: the first 500 listed, the rest counted; the extent from the tiles', async () => {
  const page = await html(jobs.many);
  assert.equal((page.match(/<td class="mono nowrap">16\/\d+\/\d+<\/td>/g) ?? []).length, 500);
  assert.ok(page.includes('… and 1,500 more in the JSON report.'));
  assert.ok(page.includes('2,000 corrupt'));
  assert.ok(page.includes('derived from the tiles at z16'));
  // largeRasterMbtiles: columns 30000–30049 and TMS rows 30000–30049 at z16.
  const bounds = tileRangeBounds(16, 30000, 65535 - 30049, 30049, 65535 - 30000);
  const expected = thumbnail(bounds, 340, 250).extent;
  const rect = extentRect(page);
  for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(rect[k] - expected[k]) < 0.5, `${k}: ${rect[k]} vs ${expected[k]}`);
  assert.ok(page.length < 400_000, `${page.length} characters`);
});

test('a clean job; hostile error messages; a cache that has gone: "extent unknown"', async () => {
  const clean = await html(jobs.clean);
  assert.ok(clean.includes('<div class="state state-succeeded">succeeded</div>'));
  assert.ok(clean.includes('No item failed.') && clean.includes('No tile issues.'));

  const data = gatherReport(store, jobs.damaged);
  const hostile = '<img src=x onerror=alert(1)> "quoted" & \'single\'';
  const verify = data.job;
  assert.ok(verify.kind === 'verify');
  data.job = { ...verify, params: { ...verify.params, cache: join(root, 'moved away.mbtiles') } };
  data.items = data.items.map((i) => ({ ...i, error: { code: 'IO_ERROR', message: hostile } }));
  data.events = data.events.map((e) => ({ ...e, message: hostile, type: `<i>${e.type}</i>` }));
  data.tileIssues = data.tileIssues.map((t) => ({ ...t, detail: hostile }));
  const page = await htmlReport(data);
  assert.doesNotMatch(page, /<img|<i>|<script/);
  assert.ok(page.includes(escaped(hostile)));
  assert.ok(page.includes('<div class="unknown-extent">Extent unknown</div>'));
  assert.match(page, /the cache cannot be opened: no such file or directory: [^<]*moved away\.mbtiles\./);
  assert.ok(!page.includes('<svg'));
});

/** The bounds the page's map says it shows, from the SVG's data-bounds. */
function svgBounds(page: string): number[] {
  const value = /<svg class="thumbnail"[^>]* data-bounds="([^"]+)"/.exec(page)?.[1];
  assert.ok(value, 'an extent map with its bounds');
  return value.split(',').map(Number);
}

test('preseeds: the output\'s extent and each item\'s footprint drawn, never "Extent unknown"', async () => {
  const raster = await html(jobs.raster);
  assert.ok(!raster.includes('Extent unknown') && !raster.includes('names no tile cache'));
  assert.ok(raster.includes(`<span class="name">${escaped(UNICODE_NAME)}</span>`), 'the name in four scripts, as it is');
  // SP27GTIF.tif (Illinois, about 88.2°W–87.4°W) to the hillshade (11–12°E, 57–58°N).
  const [w, s, e, n] = svgBounds(raster);
  assert.ok(w! > -88.5 && w! < -87.3 && s! > 41.5 && s! < 42 && Math.abs(e! - 12) < 0.01 && Math.abs(n! - 58) < 0.01, `${w} ${s} ${e} ${n}`);
  assert.ok(raster.includes('declared by the output (mbtiles metadata)'));
  extentRect(raster);
  const footprints = [...raster.matchAll(/<(?:rect|circle) class="footprint"[^>]*><title>(\d+)\. ([^<]*)<\/title>/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(footprints, ['1 SP27GTIF.tif', '2 hillshade.tif']);
  assert.ok(raster.includes('<ol class="footprints"><li>SP27GTIF.tif</li><li>hillshade.tif</li></ol>'));
  assert.match(raster, /<th scope="row">Data<\/th><td>[\d.]+ KiB<\/td>/);
  assert.match(raster, /<th scope="row">Output<\/th><td>the tile cache [^<]*raster-out\.mbtiles<\/td>/);

  const vector = await html(jobs.vector);
  assert.ok(!vector.includes('Extent unknown'));
  const [vw, vs, ve, vn] = svgBounds(vector);
  assert.ok(vw! > -9 && vw! < -8 && ve! > -1 && ve! < 0 && vs! > 54 && vs! < 55 && vn! > 60 && vn! < 61.5, `Scotland: ${vw} ${vs} ${ve} ${vn}`);
  assert.ok(vector.includes('declared by the output (pmtiles header)'));
  assert.match(vector, /<rect class="footprint"[^>]*><title>1\. scot_BNG\.shp<\/title>/);
});

test('an ingest: the dataset it made in the catalogue, and where its items lie', async () => {
  const page = await html(jobs.ingest, new Catalog(db, jobs.dataDir));
  assert.deepEqual(svgBounds(page), [22.94, 35.34, 25.13, 40.64]);
  assert.ok(page.includes('of the datasets it made'));
  assert.match(page, /the dataset Ελλάδα \(#\d+\) in the catalogue/);
  // Without the catalogue (the CLI over a closed data directory) the items' footprints still place it.
  const alone = await html(jobs.ingest);
  assert.deepEqual(svgBounds(alone), [22.94, 35.34, 25.13, 40.64]);
});

test('self-contained and printable: no scripts, no external resources, print styles', async () => {
  const page = await html(jobs.damaged);
  assert.ok(page.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`));
  assert.doesNotMatch(page, /<script|<link|<img|<iframe|\ssrc=|href=|@import|javascript:/i);
  // The only URLs are the SVG namespace and the thumbnail's own clip path.
  assert.deepEqual([...new Set(page.match(/https?:\/\/[^\s"')]+/g))], ['http://www.w3.org/2000/svg']);
  assert.deepEqual([...new Set(page.match(/url\([^)]*\)/g))], ['url(#thumbnail-box)']);
  assert.match(page, /@media print \{[\s\S]*@page \{ size: A4;[\s\S]*thead \{ display: table-header-group; \}/);
});

test('tessera jobs report --format html -o FILE writes the same page', () => {
  const out = join(root, 'report.html');
  const stdout = execFileSync(process.execPath, [bin, 'jobs', 'report', String(jobs.damaged), '--format', 'html', '-o', out, '--data-dir', jobs.dataDir], {
    encoding: 'utf8',
  });
  assert.match(stdout, /wrote .*report\.html/);
  const page = readFileSync(out, 'utf8');
  assert.ok(page.includes(escaped(HOSTILE_NAME)) && page.includes('<svg '));
});
