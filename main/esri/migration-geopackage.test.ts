/**
 * The migration's GeoPackage with real GDAL: pages and their progress commit together or not at
 * all, a reopened file resumes, a changed schema starts the table again, and the finished file has
 * its aliases, domains, spatial index and source record (read back with GDAL and SQLite).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import gdal from 'gdal-async';
import { TesseraError } from '../../shared/errors.js';
import { planColumns } from './esri-fields.js';
import { esriGeometryToWkb } from './esri-geometry.js';
import { ESRI_SOURCES_SQL, MigrationGeoPackage, type TableSpec } from './migration-geopackage.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-esri-gpkg-'));
after(() => rmSync(root, { recursive: true, force: true }));

const fields = [
  { name: 'OBJECTID', type: 'esriFieldTypeOID' },
  { name: 'NAME', type: 'esriFieldTypeString', alias: 'Station name', length: 40 },
  {
    name: 'KIND',
    type: 'esriFieldTypeSmallInteger',
    domain: {
      type: 'codedValue' as const,
      name: 'station_kind',
      codedValues: [
        { name: 'gauge', code: 1 },
        { name: 'weir', code: 2 },
      ],
    },
  },
  { name: 'LEVEL', type: 'esriFieldTypeDouble', domain: { type: 'range' as const, name: 'level_range', range: [0, 12.5] as [number, number] } },
  { name: 'SEEN', type: 'esriFieldTypeDate' },
];

function spec(overrides: Partial<TableSpec> = {}): TableSpec {
  return {
    layerId: 3,
    layerName: 'Gauging stations',
    geometryType: 'esriGeometryPoint',
    hasZ: true,
    hasM: true,
    spatialReference: { wkid: 102100, latestWkid: 3857 },
    objectIdField: 'OBJECTID',
    columns: planColumns(fields, 'OBJECTID', 'geom'),
    ...overrides,
  };
}

const dims = { hasZ: true, hasM: true };
const row = (id: number, name: string) => ({
  id,
  values: [name, 1, 3.25, '2021-03-04T05:06:07.890Z'],
  wkb: esriGeometryToWkb({ x: 1000 + id, y: 2000, z: 12, m: id / 10 }, 'esriGeometryPoint', dims),
});

test('a page and the progress after it commit together; a failing page leaves neither', async () => {
  const path = join(root, 'atomic.gpkg');
  const file = await MigrationGeoPackage.open(path);
  const { table, progress } = await file.table(spec());
  assert.equal(progress.written, 0);
  await table.writePage([row(10, 'a'), row(11, 'b')], { mode: 'offset', nextOffset: 2, lastObjectId: 11, written: 2 });
  // Id 11 again: the primary key refuses it, and the whole page (with id 12) is rolled back.
  await assert.rejects(
    table.writePage([row(12, 'c'), row(11, 'b again')], { mode: 'offset', nextOffset: 4, lastObjectId: 12, written: 4 }),
    (e: unknown) => e instanceof TesseraError && e.code === 'WRITE_FAILED',
  );
  assert.deepEqual(await table.ids(), [10, 11]);
  const after = await file.progress(3);
  assert.equal(after?.nextOffset, 2);
  assert.equal(after?.written, 2);
  await file.close();

  // Reopened (a restart): the same table and progress, and writing carries on.
  const again = await MigrationGeoPackage.open(path);
  const resumed = await again.table(spec());
  assert.equal(resumed.restarted, null);
  assert.equal(resumed.progress.lastObjectId, 11);
  await resumed.table.writePage([row(12, 'c')], { mode: 'offset', nextOffset: 3, lastObjectId: 12, written: 3 });
  assert.deepEqual(await resumed.table.ids(), [10, 11, 12]);
  await again.close();
});

test("when the layer's fields changed since the copy began, its table starts again", async () => {
  const path = join(root, 'schema.gpkg');
  const file = await MigrationGeoPackage.open(path);
  const { table } = await file.table(spec());
  await table.writePage([row(1, 'a')], { mode: 'ids', nextOffset: 0, lastObjectId: 1, written: 1 });
  const changed = await file.table(spec({ columns: planColumns(fields.slice(0, 3), 'OBJECTID', 'geom') }));
  assert.match(changed.restarted ?? '', /fields changed/);
  assert.equal(changed.progress.written, 0);
  assert.deepEqual(await changed.table.ids(), []);
  await file.close();
});

test('the finished file: ZM points in EPSG:3857, aliases and domains as GeoPackage data columns, a spatial index, the source recorded', async () => {
  const path = join(root, 'finished.gpkg');
  const file = await MigrationGeoPackage.open(path);
  const { table } = await file.table(spec());
  await table.writePage([row(5, 'Upper weir'), row(9, 'Lower gauge')], { mode: 'offset', nextOffset: 2, lastObjectId: 9, written: 2 });
  await table.markVerified({ sourceCount: 2 });
  await file.finish({
    serviceUrl: 'https://gis.example.org/arcgis/rest/services/Hydro/FeatureServer',
    copiedAt: '2026-11-29T12:00:00.000Z',
    where: null,
    layers: [{ layerId: 3, layerName: 'Gauging stations', sourceCount: 2 }],
  });
  await file.close();

  const ds = await gdal.openAsync(path);
  try {
    const layer = ds.layers.get('gauging_stations');
    assert.equal(layer.geomType, 3001, 'POINT ZM');
    assert.equal(layer.srs?.getAuthorityCode(null), '3857');
    assert.equal(layer.fidColumn, 'OBJECTID');
    const f = await layer.features.getAsync(9);
    assert.equal(f.fields.get('NAME'), 'Lower gauge');
    const wkb = f.getGeometry()!.toWKB(gdal.wkbNDR, gdal.wkbVariantIso);
    assert.deepEqual(
      [5, 13, 21, 29].map((o) => wkb.readDoubleLE(o)),
      [1009, 2000, 12, 0.9],
    );
  } finally {
    ds.close();
  }
  const db = new Database(path, { readonly: true });
  try {
    assert.deepEqual(db.prepare('SELECT column_name, name, constraint_name FROM gpkg_data_columns ORDER BY column_name').all(), [
      { column_name: 'KIND', name: null, constraint_name: 'station_kind' },
      { column_name: 'LEVEL', name: null, constraint_name: 'level_range' },
      { column_name: 'NAME', name: 'Station name', constraint_name: null },
    ]);
    assert.deepEqual(
      db.prepare('SELECT constraint_type, value, min, max, description FROM gpkg_data_column_constraints ORDER BY constraint_name, value').all(),
      [
        { constraint_type: 'range', value: null, min: 0, max: 12.5, description: null },
        { constraint_type: 'enum', value: '1', min: null, max: null, description: 'gauge' },
        { constraint_type: 'enum', value: '2', min: null, max: null, description: 'weir' },
      ],
    );
    assert.equal((db.prepare('SELECT SEEN FROM gauging_stations WHERE OBJECTID = 5').get() as { SEEN: string }).SEEN, '2021-03-04T05:06:07.890Z');
    assert.equal((db.prepare('SELECT count(*) n FROM rtree_gauging_stations_geom').get() as { n: number }).n, 2);
    assert.deepEqual(
      (db.prepare(ESRI_SOURCES_SQL).all() as { metadata: string }[]).map((r) => JSON.parse(r.metadata)),
      [
        {
          table_name: 'gauging_stations',
          layer_id: 3,
          layer_name: 'Gauging stations',
          service_url: 'https://gis.example.org/arcgis/rest/services/Hydro/FeatureServer',
          where_clause: null,
          feature_count: 2,
          copied_at: '2026-11-29T12:00:00.000Z',
        },
      ],
    );
    assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name LIKE 'tessera%'").get(), undefined, 'no table of ours in the user’s file');
    assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'tessera_esri_progress'").get(), undefined);
    assert.equal(
      (db.prepare("SELECT identifier FROM gpkg_contents WHERE table_name = 'gauging_stations'").get() as { identifier: string }).identifier,
      'Gauging stations',
    );
  } finally {
    db.close();
  }
});
