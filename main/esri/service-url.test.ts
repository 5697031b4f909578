import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { layerUrl, parseEsriUrl, parseServiceUrl, queryUrl, restInfoUrl, servicesRoot } from './service-url.js';

const base = 'https://gis.example.org/arcgis/rest/services/Hydro/Rivers';

test('service URLs in every form people paste them normalise to one', () => {
  for (const raw of [
    `${base}/FeatureServer`,
    `${base}/FeatureServer/`,
    `${base}/FeatureServer?f=json`,
    `${base}/FeatureServer/?f=pjson&foo=bar`,
    `${base}/featureserver`,
    `  ${base}/FeatureServer#top `,
  ]) {
    const p = parseServiceUrl(raw);
    assert.equal(p.serviceUrl, `${base}/FeatureServer`, raw);
    assert.equal(p.type, 'FeatureServer');
    assert.equal(p.name, 'Hydro/Rivers');
    assert.equal(p.layerId, null, raw);
  }
});

test('a layer or query URL keeps its layer id; MapServer is recognised', () => {
  assert.deepEqual(parseEsriUrl(`${base}/MapServer/3`), {
    kind: 'service',
    serviceUrl: `${base}/MapServer`,
    type: 'MapServer',
    name: 'Hydro/Rivers',
    layerId: 3,
  });
  assert.equal(parseServiceUrl(`${base}/FeatureServer/12/query?where=1%3D1&outFields=*&f=json`).layerId, 12);
  assert.equal(parseServiceUrl(`${base}/MapServer/0/`).layerId, 0);
  assert.equal(parseServiceUrl(`${base}/FeatureServer/layers`).layerId, null);
});

test('layer and query URLs are appended segments, whatever the pasted URL ended with', () => {
  for (const service of [`${base}/FeatureServer`, `${base}/FeatureServer/`]) {
    assert.equal(layerUrl(service, 4), `${base}/FeatureServer/4`);
    assert.equal(queryUrl(service, 4), `${base}/FeatureServer/4/query`);
  }
  // What resolving against a URL without a trailing slash does, and why it is not used here.
  assert.equal(new URL('4', `${base}/FeatureServer`).toString(), `${base}/4`);
});

test('folders of the services directory', () => {
  assert.deepEqual(parseEsriUrl('https://gis.example.org/arcgis/rest/services/Hydro?f=json'), {
    kind: 'folder',
    folderUrl: 'https://gis.example.org/arcgis/rest/services/Hydro',
    name: 'Hydro',
  });
  assert.deepEqual(parseEsriUrl('https://gis.example.org/arcgis/rest/services/'), {
    kind: 'folder',
    folderUrl: 'https://gis.example.org/arcgis/rest/services',
    name: '',
  });
  assert.equal(servicesRoot(`${base}/FeatureServer/0`), 'https://gis.example.org/arcgis/rest/services');
  assert.equal(restInfoUrl(`${base}/FeatureServer`), 'https://gis.example.org/arcgis/rest/info');
  assert.throws(() => parseServiceUrl('https://gis.example.org/arcgis/rest/services/Hydro'), /is a services-directory folder/);
});

test('what is refused, by name: other service types, non-ArcGIS URLs, and secrets in the URL', () => {
  const refused = (raw: string, pattern: RegExp) =>
    assert.throws(
      () => parseEsriUrl(raw, 'params.url'),
      (e: unknown) => e instanceof TesseraError && e.code === 'BAD_INPUT' && pattern.test(e.message) && e.message.startsWith('params.url: '),
      raw,
    );
  refused(`${base}/ImageServer`, /ImageServer services hold no feature layers/);
  refused('https://example.org/wms?service=WMS', /is not an ArcGIS REST URL/);
  refused('ftp://example.org/arcgis/rest/services/A/FeatureServer', /only http and https/);
  refused(`${base}/FeatureServer?token=abc123`, /carries a "token" parameter; save the token as a credential/);
  refused(`${base}/FeatureServer?f=json&Token=abc123`, /"Token" parameter/);
  refused('https://user:secret@gis.example.org/arcgis/rest/services/A/FeatureServer', /user name or password/);
  refused('not a url', /not a URL/);
});
