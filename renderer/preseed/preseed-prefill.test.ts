/**
 * "Run again with these settings" for preseeds: a job's params put back into its form and read
 * out again (the form's own rasterInput / vectorInput, parsed by the contract) are the same params.
 */
import { expect, test } from 'vitest';
import { JobStartInput, type JobSummary } from '../../shared/contract.js';
import { usePreseedDraft } from './preseed-draft.js';
import { rasterInput, vectorInput } from './preseed-form.js';
import { localDateTime, prefillPreseed, rasterFormOf, vectorFormOf } from './preseed-prefill.js';

const DATA_DIR = '/srv/tessera';
const job = { name: 'blue marble z0–6', priority: 3 };

function parsed(input: unknown) {
  return JobStartInput.parse(input);
}

test('a raster job’s params come back out of the form unchanged, name and priority included', () => {
  const start = parsed({
    kind: 'preseed-raster',
    name: job.name,
    priority: job.priority,
    params: {
      datasets: ['/data/a.tif', '/data/b.tif'],
      minZoom: 2,
      maxZoom: 9,
      bbox: [-10.5, 40, 5.25, 50],
      coverage: '/data/coverage.geojson',
      mode: 'refresh',
      olderThan: '2026-11-01T08:30:00.000Z',
      output: '/srv/out/a.pmtiles',
      title: 'Base map',
      tileSize: 512,
      format: 'webp',
      quality: 70,
      resampling: 'cubic',
      scale: [0, 4000],
    },
  });
  if (start.kind !== 'preseed-raster') throw new Error('raster expected');
  const form = rasterFormOf(start.params, job);
  expect(form.scaleMode).toBe('range');
  expect(form.olderThan).toBe(localDateTime('2026-11-01T08:30:00.000Z'));
  expect(parsed(rasterInput(form, DATA_DIR))).toEqual(start);
});

test('a vector job’s layers, attributes and tile limit come back out of the form unchanged', () => {
  const start = parsed({
    kind: 'preseed-vector',
    name: job.name,
    priority: job.priority,
    params: {
      sources: ['/data/world.gpkg'],
      minZoom: 0,
      maxZoom: 7,
      output: '/srv/out/world.mbtiles',
      layers: [
        { name: 'states_provinces', as: 'states', attributes: ['name', 'iso_a2'], minZoom: 3 },
        { name: 'countries', attributes: [] },
        { name: 'rivers', maxZoom: 5 },
      ],
      attributes: ['name'],
      extent: 8192,
      buffer: 16,
      tolerance: 1.5,
      maxTileBytes: 256 * 1024,
      thin: true,
      // Given by "Retry with CRS…" to a .shp without its .prj: "Run again" keeps it.
      assignCrs: 'EPSG:27700',
    },
  });
  if (start.kind !== 'preseed-vector') throw new Error('vector expected');
  const form = vectorFormOf(start.params, job);
  expect(form.layers.map((l) => l.attributes.keep)).toEqual(['only', 'none', 'all']);
  expect(form.maxTileKiB).toBe('256');
  expect(form.assignCrs).toBe('EPSG:27700');
  expect(parsed(vectorInput(form, DATA_DIR))).toEqual(start);
});

test('prefillPreseed fills the tab of the job’s kind and leaves other kinds alone', () => {
  const base = { id: 4, name: 'v', priority: 0 } as const;
  const vector = parsed({ kind: 'preseed-vector', params: { sources: ['/d/x.geojson'], minZoom: 1, maxZoom: 2, output: '/o/x.mbtiles' } });
  expect(prefillPreseed({ ...base, ...vector } as unknown as JobSummary)).toBe('vector');
  expect(usePreseedDraft.getState().vector.sources).toEqual(['/d/x.geojson']);
  expect(usePreseedDraft.getState().lastKind).toBe('vector');
  const ingest = { ...base, kind: 'ingest', params: { files: ['/d/a.shp'] } } as unknown as JobSummary;
  expect(prefillPreseed(ingest)).toBeNull();
  expect(usePreseedDraft.getState().vector.sources).toEqual(['/d/x.geojson']);
});

test('"Run again": a name the engine made up is dropped (the new job is named after its own params), a typed one is kept', () => {
  const params = { datasets: ['/data/bluemarble.tif'], minZoom: 0, maxZoom: 6, output: '/srv/out/bm-west.mbtiles' };
  const raster = parsed({ kind: 'preseed-raster', params });
  if (raster.kind !== 'preseed-raster') throw new Error('raster expected');
  const generated = rasterFormOf(raster.params, { name: 'preseed raster bluemarble.tif → bm-west.mbtiles', priority: 0 });
  expect(generated.name).toBe('');
  expect(parsed(rasterInput({ ...generated, output: '/srv/out/bm-west8.mbtiles' }, DATA_DIR))).not.toHaveProperty('name');
  expect(rasterFormOf(raster.params, { name: 'Blue Marble west', priority: 0 }).name).toBe('Blue Marble west');
  // A typed name that only looks generated for other params is the operator's: kept.
  expect(rasterFormOf(raster.params, { name: 'preseed raster bluemarble.tif → bm.mbtiles', priority: 0 }).name).toBe(
    'preseed raster bluemarble.tif → bm.mbtiles',
  );

  const vector = parsed({ kind: 'preseed-vector', params: { sources: ['/d/a.gpkg', '/d/b.gpkg'], minZoom: 0, maxZoom: 7, output: '/o/roads/' } });
  if (vector.kind !== 'preseed-vector') throw new Error('vector expected');
  expect(vectorFormOf(vector.params, { name: 'preseed vector 2 sources → roads', priority: 0 }).name).toBe('');
});
