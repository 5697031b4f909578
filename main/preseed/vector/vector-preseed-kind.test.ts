import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import zlib from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import Database from 'better-sqlite3';
import { PbfReader } from 'pbf';
import type { JobSummary, TileIssue, VectorPreseedParams } from '../../../shared/contract.js';
import { TesseraError } from '../../../shared/errors.js';
import { gpkgWithLayerNamed } from '../../ingest/testing/ingest-fixtures.js';
import { rgdalVector, worldMapGpkg } from '../../testing/real-data.js';
import { golden } from '../../../workers/testing/golden.js';
import { statesInside } from './testing/states-inside.js';
import { lonLatToTileFraction } from '../../../shared/tile-grid.js';
import { Engine } from '../../engine/engine.js';
import { createLogger } from '../../logging/logger.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-vector-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const UK: [number, number, number, number] = [-8.7, 49.8, 2.0, 60.9];

function freshDir(): string {
  return mkdtempSync(join(root, `d${++dirs}-`));
}

async function openEngine(dataDir: string): Promise<Engine> {
  return Engine.open({ dataDir, host: 'headless', threads: 2, logger: createLogger('silent'), backoff: { initialDelayMs: 5, maxDelayMs: 20 } });
}

async function run(
  engine: Engine,
  params: Partial<VectorPreseedParams> & Pick<VectorPreseedParams, 'sources' | 'output' | 'minZoom' | 'maxZoom'>,
): Promise<JobSummary> {
  const job = await engine.start({ kind: 'preseed-vector', params });
  return engine.waitFor(job.id);
}

interface DecodedTile {
  z: number;
  x: number;
  y: number;
  raw: Buffer;
  tile: VectorTile;
}

/** Every tile of an MBTiles, gunzipped and decoded with @mapbox/vector-tile, every geometry loaded. */
function decodeAll(mbtiles: string): DecodedTile[] {
  const db = new Database(mbtiles, { readonly: true });
  try {
    const rows = db.prepare('SELECT zoom_level z, tile_column x, tile_row r, tile_data d FROM tiles').all() as { z: number; x: number; r: number; d: Buffer }[];
    return rows.map((row) => {
      const raw = zlib.gunzipSync(row.d);
      const tile = new VectorTile(new PbfReader(raw));
      for (const layer of Object.values(tile.layers)) for (let i = 0; i < layer.length; i++) layer.feature(i).loadGeometry();
      return { z: row.z, x: row.x, y: (1 << row.z) - 1 - row.r, raw, tile };
    });
  } finally {
    db.close();
  }
}

function metadata(mbtiles: string): Record<string, string> {
  const db = new Database(mbtiles, { readonly: true });
  try {
    return Object.fromEntries((db.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]));
  } finally {
    db.close();
  }
}

/** GDAL's MVT driver reads each zoom level of the MBTiles (ogrinfo fails on a tile it cannot decode). */
function gdalLayers(mbtiles: string, z: number): string[] {
  const out = execFileSync('ogrinfo', ['-ro', '-al', '-so', '-oo', `ZOOM_LEVEL=${z}`, mbtiles], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return [...out.matchAll(/^Layer name: (.+)$/gm)].map((m) => m[1]!);
}

function idsAt(tiles: DecodedTile[], z: number, layer: string): Set<number> {
  const ids = new Set<number>();
  for (const t of tiles.filter((t) => t.z === z)) {
    const l = t.tile.layers[layer];
    for (let i = 0; l && i < l.length; i++) ids.add(l.feature(i).id!);
  }
  return ids;
}

function issuesOf(engine: Engine, jobId: number): TileIssue[] {
  return engine.store.tileIssues(jobId, undefined, 1000).rows;
}

test('two sources, one in British National Grid: every tile decodes in GDAL and @mapbox/vector-tile, counts, attributes and places are right', async () => {
  const dir = freshDir();
  const engine = await openEngine(dir);
  try {
    const output = join(dir, 'uk.mbtiles');
    const final = await run(engine, {
      sources: [worldMapGpkg(), rgdalVector('scot_BNG.shp')],
      layers: [
        { name: 'states_provinces', as: 'states', attributes: ['name', 'iso_a2'] },
        { name: 'scot_BNG', minZoom: 5 },
      ],
      bbox: UK,
      minZoom: 0,
      maxZoom: 8,
      output,
    });
    assert.equal(final.state, 'succeeded', JSON.stringify(final.error));
    assert.deepEqual(final.items, { total: 2, queued: 0, running: 0, succeeded: 2, partial: 0, failed: 0, cancelled: 0, interrupted: 0 });
    // Counts add up: a partition one item cut for both sources does not leave done above total.
    assert.equal(final.progress.done, final.progress.total, JSON.stringify(final.progress));
    for (const item of engine.store.allItems(final.id)) assert.equal(item.done, item.total, `${item.label}: ${item.done} / ${item.total}`);

    const tiles = decodeAll(output);
    assert.ok(tiles.length > 100, `${tiles.length} tiles`);
    for (let z = 0; z <= 8; z++) {
      const layers = gdalLayers(output, z);
      assert.ok(layers.includes('states'), `GDAL reads z${z}: ${layers.join(', ')}`);
      if (z >= 5) assert.ok(layers.includes('scot_BNG'), `GDAL reads z${z}: ${layers.join(', ')}`);
    }

    // Attribute selection: states keep name and iso_a2 only; scot_BNG keeps all of its attributes.
    for (const t of tiles) {
      const states = t.tile.layers.states;
      for (let i = 0; states && i < states.length; i++)
        assert.deepEqual(
          Object.keys(states.feature(i).properties).sort(),
          ['iso_a2', 'name'].filter((k) => states.feature(i).properties[k] !== undefined),
        );
      const scot = t.tile.layers.scot_BNG;
      if (scot) {
        assert.ok(t.z >= 5, `scot_BNG starts at z5 but is in ${t.z}/${t.x}/${t.y}`);
        assert.ok('NAME' in scot.feature(0).properties && 'SMR' in scot.feature(0).properties);
      }
    }
    assert.ok(
      tiles.some((t) => t.tile.layers.states && t.tile.layers.scot_BNG),
      'some tile holds both layers',
    );

    // At the max zoom every Scottish district is there (features cut by tile edges counted once).
    assert.equal(idsAt(tiles, 8, 'scot_BNG').size, 56);
    // Every state wholly inside the bbox is there too (found by ogr2ogr, kept in testing/golden/uk-states-inside.json; UPDATE=1 makes it again).
    const inside = await golden(import.meta.url, 'uk-states-inside', () => statesInside(UK));
    assert.ok(inside.length > 50, `${inside.length} states inside`);
    const stateIds = idsAt(tiles, 8, 'states');
    for (const state of inside) assert.ok(stateIds.has(Number(state.split(' ')[0])), `state ${state} is missing at z8`);

    // The projected source lands where it is: Sutherland around 58.06°N 4.64°W, all of Scotland (St Kilda included) in 54.5–61°N, 9.5–0.6°W.
    const west: number[] = [];
    const north: number[] = [];
    let sutherland = false;
    for (const t of tiles.filter((t) => t.z === 8 && t.tile.layers.scot_BNG)) {
      const layer = t.tile.layers.scot_BNG!;
      for (let i = 0; i < layer.length; i++) {
        const f = layer.feature(i).toGeoJSON(t.x, t.y, t.z);
        const points = JSON.stringify(f.geometry)
          .match(/-?\d+(\.\d+)?,-?\d+(\.\d+)?/g)!
          .map((p) => p.split(',').map(Number) as [number, number]);
        for (const [x, y] of points) {
          west.push(x);
          north.push(y);
        }
        if (f.properties?.NAME === 'Sutherland') {
          const xs = points.map((p) => p[0]);
          const ys = points.map((p) => p[1]);
          if (Math.min(...xs) < -4.64 && Math.max(...xs) > -4.64 && Math.min(...ys) < 58.06 && Math.max(...ys) > 58.06) sutherland = true;
        }
      }
    }
    assert.ok(sutherland, 'Sutherland covers 58.06°N 4.64°W');
    assert.ok(Math.min(...west) > -9.5 && Math.max(...west) < -0.6, `longitudes ${Math.min(...west)}…${Math.max(...west)}`);
    assert.ok(Math.min(...north) > 54.5 && Math.max(...north) < 61, `latitudes ${Math.min(...north)}…${Math.max(...north)}`);

    // Metadata: vector_layers with fields and zooms, tilestats with counts.
    const meta = metadata(output);
    assert.equal(meta.format, 'pbf');
    const json = JSON.parse(meta.json!) as {
      vector_layers: { id: string; fields: Record<string, string>; minzoom: number; maxzoom: number }[];
      tilestats: { layers: { layer: string; count: number; geometry: string }[] };
    };
    const byId = Object.fromEntries(json.vector_layers.map((l) => [l.id, l]));
    assert.deepEqual(byId.states!.fields, { name: 'String', iso_a2: 'String' });
    assert.equal(byId.scot_BNG!.minzoom, 5);
    assert.equal(byId.scot_BNG!.fields.SMR, 'Number');
    const stats = Object.fromEntries(json.tilestats.layers.map((l) => [l.layer, l]));
    assert.equal(stats.scot_BNG!.count, 56);
    assert.equal(stats.scot_BNG!.geometry, 'Polygon');
  } finally {
    await engine.close();
  }
});

test('an oversized tile is reported; with thin it is thinned until it fits, without it is written as it is', async () => {
  const dir = freshDir();
  const engine = await openEngine(dir);
  try {
    const limit = 16 * 1024;
    const base = { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces', attributes: [] }], minZoom: 0, maxZoom: 1, maxTileBytes: limit };
    const thinned = await run(engine, { ...base, thin: true, output: join(dir, 'thin.mbtiles') });
    assert.equal(thinned.state, 'succeeded', JSON.stringify(thinned.error));
    const issues = issuesOf(engine, thinned.id);
    const z0 = issues.find((i) => i.z === 0);
    assert.equal(z0?.issue, 'oversized');
    assert.match(z0!.detail, /thinned in \d+ round\(s\) to [\d,]+ bytes, dropping \d+ feature\(s\) and \d+ vertices/);
    const [item] = engine.store.allItems(thinned.id);
    assert.ok((item!.result!.thinned as number) >= 1 && (item!.result!.droppedVertices as number) > 0, JSON.stringify(item!.result));
    const tiles = decodeAll(join(dir, 'thin.mbtiles'));
    for (const t of tiles) assert.ok(t.raw.length <= limit, `${t.z}/${t.x}/${t.y} is ${t.raw.length} bytes`);
    assert.ok(tiles.find((t) => t.z === 0)!.tile.layers.states_provinces!.length > 10, 'the thinned z0 tile still draws states');

    const kept = await run(engine, { ...base, thin: false, output: join(dir, 'kept.mbtiles') });
    assert.equal(kept.state, 'succeeded');
    const keptIssue = issuesOf(engine, kept.id).find((i) => i.z === 0);
    assert.equal(keptIssue?.issue, 'oversized');
    assert.match(keptIssue!.detail, /written as it is/);
    assert.ok(decodeAll(join(dir, 'kept.mbtiles')).find((t) => t.z === 0)!.raw.length > limit);
  } finally {
    await engine.close();
  }
});

test('cancel while z10 is being cut: the job is cancelled and the output holds only whole tiles', async () => {
  const dir = freshDir();
  const engine = await openEngine(dir);
  try {
    const output = join(dir, 'europe.mbtiles');
    const job = await engine.start({
      kind: 'preseed-vector',
      params: { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], bbox: [-15, 30, 40, 65], minZoom: 0, maxZoom: 10, output },
    });
    let cancelledAt = 0;
    await new Promise<void>((resolve) => {
      const off = engine.events.on('job.progress', (p) => {
        // Nine tiles of ten are z9–10; thousands written means the deepest zooms are being cut.
        if (p.jobId === job.id && p.done >= 4000 && cancelledAt === 0) {
          off();
          cancelledAt = performance.now();
          engine.cancel([job.id]);
          resolve();
        }
      });
    });
    const final = await engine.waitFor(job.id);
    const ms = performance.now() - cancelledAt;
    assert.equal(final.state, 'cancelled');
    assert.ok(final.progress.done < final.progress.total || final.progress.total === 0 || final.items.cancelled === 1);
    console.log(`# cancel → cancelled in ${ms.toFixed(0)} ms (${final.progress.done} tiles written)`);
    const tiles = decodeAll(output);
    assert.ok(tiles.length >= 4000 && tiles.some((t) => t.z === 10), `${tiles.length} whole tiles, z10 among them`);
  } finally {
    await engine.close();
  }
});

test('a broken source among good ones fails its own item (DATASET_UNREADABLE naming it); the job ends partial with the others tiled', async () => {
  const dir = freshDir();
  const engine = await openEngine(dir);
  try {
    const broken = join(dir, 'broken.gpkg');
    writeFileSync(broken, Buffer.from('SQLite format 3\0 this is not a database, only its first bytes'.repeat(40)));
    const output = join(dir, 'mixed.mbtiles');
    const final = await run(engine, { sources: [rgdalVector('scot_BNG.shp'), broken, rgdalVector('cities.shp')], minZoom: 0, maxZoom: 4, output });
    assert.equal(final.state, 'partial');
    const items = engine.store.allItems(final.id);
    assert.deepEqual(
      items.map((i) => i.state),
      ['succeeded', 'failed', 'succeeded'],
    );
    assert.equal(items[1]!.error!.code, 'DATASET_UNREADABLE');
    assert.ok(items[1]!.error!.message.includes(broken), items[1]!.error!.message);
    const layers = new Set(decodeAll(output).flatMap((t) => Object.keys(t.tile.layers)));
    assert.deepEqual([...layers].sort(), ['cities', 'scot_BNG']);
    assert.equal(idsAt(decodeAll(output), 4, 'cities').size, 606, 'every city is at the max zoom');
  } finally {
    await engine.close();
  }
});

test('resume after the engine is killed: finished partitions are not cut again, and the output is whole', async () => {
  const dir = freshDir();
  const output = join(dir, 'resumed.mbtiles');
  const params = { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], minZoom: 0, maxZoom: 6, output };
  const script = `
    import { Engine } from ${JSON.stringify(fileURLToPath(new URL('../../engine/engine.js', import.meta.url)))};
    import { createLogger } from ${JSON.stringify(fileURLToPath(new URL('../../logging/logger.js', import.meta.url)))};
    const engine = await Engine.open({ dataDir: ${JSON.stringify(dir)}, host: 'headless', threads: 2, logger: createLogger('silent') });
    const job = await engine.start({ kind: 'preseed-vector', params: ${JSON.stringify(params)} });
    process.stdout.write(JSON.stringify({ id: job.id }) + '\\n');
    await engine.waitFor(job.id);
    process.stdout.write('finished\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const store = join(dir, 'jobs.sqlite');
  let doneBefore = 0;
  // Kill it once a few partitions are checkpointed (and long before all of them are).
  for (let i = 0; i < 3000 && doneBefore < 12; i++) {
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(!out.includes('finished'), 'the job finished before it could be killed');
    try {
      const db = new Database(store, { readonly: true, fileMustExist: true });
      const row = db.prepare('SELECT checkpoint FROM job_items LIMIT 1').get() as { checkpoint: string | null } | undefined;
      db.close();
      doneBefore = row?.checkpoint ? (JSON.parse(row.checkpoint) as { done: string[] }).done.length : 0;
    } catch {
      // the store is not there yet
    }
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  assert.ok(doneBefore >= 12, `${doneBefore} partitions were done when the engine was killed`);

  const engine = await openEngine(dir);
  try {
    const id = (JSON.parse(out.split('\n')[0]!) as { id: number }).id;
    const interrupted = engine.store.getJob(id);
    assert.equal(interrupted.state, 'interrupted');
    const [before] = engine.store.allItems(id);
    const checkpointed = (before!.checkpoint as { done: string[] }).done.length;
    engine.retry([id]);
    const final = await engine.waitFor(id);
    assert.equal(final.state, 'succeeded', JSON.stringify(final.error));
    const [item] = engine.store.allItems(id);
    const result = item!.result as { partitions: number; cutThisRun: number; written: number };
    assert.ok(checkpointed >= doneBefore);
    assert.equal(result.cutThisRun, result.partitions - checkpointed, 'only the partitions not checkpointed were cut again');

    // The same job run in one go makes exactly the same tiles.
    const fresh = await run(engine, { ...params, output: join(dir, 'fresh.mbtiles') });
    assert.equal(fresh.state, 'succeeded');
    const a = new Map(decodeAll(output).map((t) => [`${t.z}/${t.x}/${t.y}`, t.raw]));
    const b = new Map(decodeAll(join(dir, 'fresh.mbtiles')).map((t) => [`${t.z}/${t.x}/${t.y}`, t.raw]));
    const missing = [...b.keys()].filter((k) => !a.has(k));
    assert.deepEqual(missing, [], `${missing.length} tiles of the fresh run are missing after the resume (${doneBefore} partitions done at the kill)`);
    assert.equal(a.size, b.size);
    for (const [key, raw] of b) assert.ok(a.get(key)?.equals(raw), `tile ${key} differs after the resume`);
  } finally {
    await engine.close();
  }
});

test('the estimate gives extents, tiles per zoom (an upper bound) and a sampled size', async () => {
  const dir = freshDir();
  const engine = await openEngine(dir);
  try {
    const estimate = await engine.estimate({
      kind: 'preseed-vector',
      params: { sources: [rgdalVector('scot_BNG.shp'), join(dir, 'missing.shp')], minZoom: 0, maxZoom: 10, output: join(dir, 'e.mbtiles') },
    });
    assert.equal(estimate.datasets.length, 2);
    const [scot, missing] = estimate.datasets;
    assert.ok(scot!.bounds![0] > -9.5 && scot!.bounds![2] < -0.5 && scot!.bounds![1] > 54 && scot!.bounds![3] < 61, JSON.stringify(scot!.bounds));
    assert.equal(missing!.error?.code, 'DATASET_UNREADABLE');
    assert.equal(estimate.zooms.length, 11);
    assert.equal(estimate.zooms[0]!.tiles, 1);
    assert.ok(estimate.sample && estimate.sample.tiles > 0 && estimate.sample.bytesPerTile > 0, JSON.stringify(estimate.sample));
    assert.equal(estimate.storage.problem, null);
  } finally {
    await engine.close();
  }
});

test('overwrite removes the tiles its sources no longer reach, inside its zooms and bbox only', async () => {
  const dir = freshDir();
  const engine = await openEngine(dir);
  try {
    const source = join(dir, 'points.geojson');
    const points = (coordinates: [number, number][]) =>
      writeFileSync(
        source,
        JSON.stringify({
          type: 'FeatureCollection',
          features: coordinates.map((c, id) => ({ type: 'Feature', id, properties: { id }, geometry: { type: 'Point', coordinates: c } })),
        }),
      );
    const atlantic: [number, number] = [-30, 40];
    const indianOcean: [number, number] = [100, -30];
    const pacific: [number, number] = [150, 60];
    const output = join(dir, 'points.mbtiles');
    points([atlantic, indianOcean, pacific]);
    assert.equal((await run(engine, { sources: [source], output, minZoom: 0, maxZoom: 4 })).state, 'succeeded');
    const tileOf = ([lon, lat]: [number, number], z: number) => {
      const f = lonLatToTileFraction(lon, lat, z);
      return `${z}/${Math.floor(f.x)}/${Math.floor(f.y)}`;
    };
    const present = () => new Set(decodeAll(output).map((t) => `${t.z}/${t.x}/${t.y}`));
    const before = present();
    for (const p of [atlantic, indianOcean, pacific]) for (const z of [3, 4]) assert.ok(before.has(tileOf(p, z)), `${tileOf(p, z)} made`);

    // The Indian Ocean and Pacific points are gone from the source; the bbox ends at 120° E. Tiles
    // written in the 2 s before an overwrite count as its own (timestamps may be that coarse).
    await new Promise((resolveWait) => setTimeout(resolveWait, 2100));
    points([atlantic]);
    const job = await run(engine, { sources: [source], output, minZoom: 0, maxZoom: 3, bbox: [-180, -60, 120, 80], mode: 'overwrite' });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const after = present();
    assert.ok(!after.has(tileOf(indianOcean, 3)) && !after.has(tileOf(indianOcean, 2)), 'a tile the source no longer reaches is removed');
    assert.ok(after.has(tileOf(atlantic, 3)), 'a tile still reached stays');
    assert.ok(after.has(tileOf(pacific, 3)), 'a tile beyond the bbox stays');
    assert.ok(after.has(tileOf(indianOcean, 4)), 'a tile of a zoom the job did not make stays');
    const world = decodeAll(output).find((t) => t.z === 0)!;
    assert.equal(world.tile.layers.points?.length, 1, 'the world tile was made again from what is left');
  } finally {
    await engine.close();
  }
});

test('a CSV with lon/lat columns is a point source', async () => {
  const dir = freshDir();
  const engine = await openEngine(dir);
  try {
    const csv = join(dir, 'cities.csv');
    // rgdal's 606 cities as a spreadsheet would hold them: the name, then the coordinates.
    execFileSync('ogr2ogr', ['-f', 'CSV', csv, rgdalVector('cities.shp'), '-t_srs', 'EPSG:4326', '-lco', 'GEOMETRY=AS_XY', '-select', 'NAME']);
    const output = join(dir, 'cities.mbtiles');
    const job = await run(engine, { sources: [csv], output, minZoom: 0, maxZoom: 2 });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const world = decodeAll(output).find((t) => t.z === 0)!;
    const layer = world.tile.layers.cities!;
    // Points near ±180° are repeated in the tile's wrapped buffer: count the features once each.
    const ids = new Set(Array.from({ length: layer.length }, (_, i) => layer.feature(i).id));
    assert.equal(ids.size, 606);
    assert.deepEqual(Object.keys(layer.feature(0).properties), ['NAME'], 'the X and Y columns became the geometry');
  } finally {
    await engine.close();
  }
});

for (const name of ['-skipfailures', '-rf']) {
  test(`a source layer named ${name} is tiled as that layer, never taken as an option by GDAL`, async () => {
    const dir = freshDir();
    const engine = await openEngine(dir);
    try {
      const source = await gpkgWithLayerNamed(join(dir, 'hostile-layer.gpkg'), name);
      const output = join(dir, 'states.mbtiles');
      const job = await run(engine, { sources: [source], layers: [{ name, as: 'states', attributes: ['name'] }], bbox: UK, output, minZoom: 0, maxZoom: 3 });
      assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
      // The same layer under its own name in world_map.gpkg: the same features, no other layer's.
      const reference = join(dir, 'reference.mbtiles');
      const expected = await run(engine, {
        sources: [worldMapGpkg()],
        layers: [{ name: 'states_provinces', as: 'states', attributes: ['name'] }],
        bbox: UK,
        output: reference,
        minZoom: 0,
        maxZoom: 3,
      });
      assert.equal(expected.state, 'succeeded', JSON.stringify(expected.error));
      const count = (file: string) => decodeAll(file).reduce((n, t) => n + (t.tile.layers.states?.length ?? 0), 0);
      assert.ok(count(reference) > 0);
      assert.equal(count(output), count(reference));
      const world = decodeAll(output).find((t) => t.z === 0)!;
      assert.deepEqual(Object.keys(world.tile.layers.states!.feature(0).properties), ['name']);
    } finally {
      await engine.close();
    }
  });
}

test('a vector preseed to an unwritable output is refused at params.output: jobs.start makes no job, and a dry run says the same', async () => {
  const dir = freshDir();
  const engine = await openEngine(dir);
  try {
    const notAFolder = join(dir, 'not-a-folder');
    writeFileSync(notAFolder, 'a regular file');
    for (const [output, message] of [
      [join(notAFolder, 'scot.mbtiles'), `${notAFolder} is a file, not a folder`],
      ['/proc/tessera-scot.mbtiles', /^cannot create files in \/proc/],
    ] as const) {
      const params = { sources: [rgdalVector('scot_BNG.shp')], minZoom: 0, maxZoom: 6, output };
      const refusedAtOutput = (error: unknown) => {
        assert.ok(error instanceof TesseraError, String(error));
        assert.equal(error.code, 'BAD_INPUT');
        const issues = (error.details as { issues: { field: string; message: string }[] }).issues;
        assert.deepEqual(
          issues.map((i) => i.field),
          ['params.output'],
        );
        if (typeof message === 'string') assert.equal(issues[0]!.message, message);
        else assert.match(issues[0]!.message, message);
        assert.match(error.message, /^params\.output: /);
        return true;
      };
      await assert.rejects(() => engine.start({ kind: 'preseed-vector', params }), refusedAtOutput);
      await assert.rejects(() => engine.estimate({ kind: 'preseed-vector', params }), refusedAtOutput);
    }
    assert.equal(engine.store.listJobs(undefined, undefined, 10).rows.length, 0);
  } finally {
    await engine.close();
  }
});

test("a lone .shp (no .shx or .dbf beside it) is refused at params.sources.N in the ingest's words: jobs.start makes no job; a dry run names it the same way", async () => {
  const dir = freshDir();
  const engine = await openEngine(dir);
  try {
    mkdirSync(join(dir, 'lonely'));
    const shp = join(dir, 'lonely', 'scot_BNG.shp');
    copyFileSync(rgdalVector('scot_BNG.shp'), shp);
    const params = { sources: [rgdalVector('cities.shp'), shp], minZoom: 0, maxZoom: 6, output: join(dir, 'out.mbtiles') };
    const refusedAtSource = (error: unknown) => {
      assert.ok(error instanceof TesseraError, String(error));
      assert.equal(error.code, 'BAD_INPUT');
      const issues = (error.details as { issues: { field: string; message: string }[] }).issues;
      assert.deepEqual(issues, [{ field: 'params.sources.1', message: `${shp}: its .shx and .dbf are missing; add them beside it` }]);
      assert.doesNotMatch(error.message, /SHAPE_RESTORE_SHX/);
      return true;
    };
    await assert.rejects(() => engine.start({ kind: 'preseed-vector', params }), refusedAtSource);
    assert.equal(engine.store.listJobs(undefined, undefined, 10).rows.length, 0);
    // A dry run estimates what it can read and says why it cannot read the rest.
    const estimate = await engine.estimate({ kind: 'preseed-vector', params });
    const lone = estimate.datasets.find((d) => d.path === shp)!;
    assert.deepEqual([lone.error?.code, lone.error?.message], ['DATASET_UNREADABLE', `${shp}: its .shx and .dbf are missing; add them beside it`]);
    assert.ok(!estimate.datasets.find((d) => d.path !== shp)!.error);
  } finally {
    await engine.close();
  }
});
