/**
 * esri.discover against the Koop fixture (a real ArcGIS REST server on loopback): what a person
 * sees before a migration, for a service, a MapServer layer URL, a folder, and a secured service.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { CredentialStore } from '../credentials/credential-store.js';
import { discoverEsri } from './discover.js';
import { type KoopFixture, startKoopFixture } from './testing/koop-fixture.js';
import { naturalEarthServicesCached } from './testing/natural-earth-services.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-discover-'));
let koop: KoopFixture;
let credentials: CredentialStore;
const signal = () => AbortSignal.timeout(60_000);

before(async () => {
  const { dir, services } = naturalEarthServicesCached();
  koop = await startKoopFixture(dir, services);
  credentials = new CredentialStore(root);
});
after(async () => {
  await koop?.close();
  rmSync(root, { recursive: true, force: true });
});

test('a service: every layer and table with geometry, fields and aliases, CRS, page size, paging support and count', async () => {
  const service = await discoverEsri(`${koop.serviceUrl('world')}/?f=pjson`, { credentials, signal: signal() });
  assert.equal(service.url, koop.serviceUrl('world'));
  assert.equal(service.type, 'FeatureServer');
  assert.deepEqual(
    service.layers.map((l) => [l.id, l.name, l.type, l.geometryType, l.count, l.maxRecordCount, l.supportsPagination, l.crs]),
    [
      [0, 'States and provinces', 'layer', 'esriGeometryPolygon', 4556, 1000, true, 'EPSG:4326'],
      [1, 'Countries', 'layer', 'esriGeometryPolygon', 240, 50, false, 'EPSG:4326'],
      [2, 'Disputed borders', 'layer', 'esriGeometryPolyline', 46, 20, false, 'EPSG:4326'],
      [3, 'Cities', 'layer', 'esriGeometryPoint', 606, 200, true, 'EPSG:4326'],
      [4, 'City clusters', 'layer', 'esriGeometryMultipoint', 165, 25, true, 'EPSG:4326'],
      [5, 'Track points', 'layer', 'esriGeometryPoint', 27, 10, true, 'EPSG:4326'],
      [6, 'Country codes', 'table', null, 240, 100, true, null],
    ],
  );
  assert.ok(service.layers.every((l) => l.error === null && l.supportsAdvancedQueries));
  const name = service.layers[0]!.fields.find((f) => f.name === 'name');
  assert.deepEqual(name, { name: 'name', type: 'esriFieldTypeString', alias: 'Province name' });
  assert.equal(service.layers[0]!.fields[0]!.type, 'esriFieldTypeOID');
});

test('a MapServer layer URL lists the whole service; a folder lists its services', async () => {
  const service = await discoverEsri(`${koop.serviceUrl('sample', 'MapServer')}/2`, { credentials, signal: signal() });
  assert.equal(service.url, koop.serviceUrl('sample', 'MapServer'));
  assert.equal(service.type, 'MapServer');
  assert.equal(service.layers.length, 5);
  const folder = await discoverEsri(`${koop.folderUrl}?f=json`, { credentials, signal: signal() });
  assert.equal(folder.type, 'folder');
  assert.equal(folder.name, 'Natural_Earth');
  assert.ok(folder.services.some((s) => s.name === 'Natural_Earth/world' && s.type === 'FeatureServer' && s.url === koop.serviceUrl('world')));
  const directory = await discoverEsri(`${koop.origin}/arcgis/rest/services`, { credentials, signal: signal() });
  assert.deepEqual(directory.services, [{ name: 'Natural_Earth', type: 'Folder', url: koop.folderUrl }]);
});

test('a secured service: refused without a token (UNAUTHORIZED, once), listed with one', async () => {
  const start = koop.log.length;
  await assert.rejects(
    discoverEsri(koop.serviceUrl('secure'), { credentials, signal: signal() }),
    (e: unknown) => e instanceof TesseraError && e.code === 'UNAUTHORIZED' && /error 499: Token Required/.test(e.message),
  );
  assert.equal(koop.log.length - start, 1, 'a refusal is not retried');
  const { id } = await credentials.save({ url: koop.serviceUrl('secure'), token: koop.staticToken });
  const service = await discoverEsri(koop.serviceUrl('secure'), { credentials, credentialId: id, signal: signal() });
  assert.deepEqual(
    service.layers.map((l) => [l.name, l.count]),
    [['Disputed borders', 46]],
  );
});

test('a URL that is not an ArcGIS service is refused before any request', async () => {
  const before = koop.log.length;
  await assert.rejects(
    discoverEsri(`${koop.origin}/wms?service=WMS`, { credentials, signal: signal() }),
    (e: unknown) => e instanceof TesseraError && e.code === 'BAD_INPUT',
  );
  assert.equal(koop.log.length, before);
});
