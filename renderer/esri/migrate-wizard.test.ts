import { expect, test } from 'vitest';
import type { EsriService, JobEvent, JobItem } from '../../shared/contract.js';
import {
  breakerFromEvents,
  defaultName,
  defaultSelection,
  doneOf,
  layerIdInUrl,
  layerRows,
  migrateStartInput,
  serviceUrlErrors,
  startErrors,
  totalFeatures,
} from './migrate-wizard.js';

const layer = (id: number, count: number | null, error = false): EsriService['layers'][number] => ({
  id,
  name: `L${id}`,
  type: 'layer',
  geometryType: 'esriGeometryPolygon',
  fields: [],
  crs: 'EPSG:4326',
  maxRecordCount: 1000,
  supportsPagination: true,
  supportsAdvancedQueries: true,
  count,
  error: error ? { code: 'FORBIDDEN', message: 'no' } : null,
});
const service: EsriService = {
  url: 'https://h/arcgis/rest/services/Hydro/Rivers/FeatureServer',
  type: 'FeatureServer',
  name: 'Hydro/Rivers',
  services: [],
  layers: [layer(0, 10), layer(2, 5), layer(3, null, true)],
};

test('the layer a pasted URL names is preselected; otherwise every readable layer', () => {
  expect(layerIdInUrl(`${service.url}/2/query?where=1%3D1`)).toBe(2);
  expect(layerIdInUrl(`${service.url}/`)).toBe(null);
  expect(defaultSelection(service, `${service.url}/2`)).toEqual([2]);
  expect(defaultSelection(service, service.url)).toEqual([0, 2]);
  expect(defaultName(service)).toBe('Rivers');
  expect(totalFeatures(service, [0, 2])).toBe(15);
  expect(totalFeatures(service, [0, 3])).toBe(null);
});

test('the start input: the normalised service URL, sorted layers, the credential by id only', () => {
  expect(migrateStartInput({ service, selected: [2, 0], name: ' Rivers ', where: ' ', credentialId: 'cred_1' })).toEqual({
    kind: 'migrate-esri',
    params: { url: service.url, name: 'Rivers', layers: [0, 2], credentialId: 'cred_1' },
  });
  expect(migrateStartInput({ service, selected: [0], name: 'R', where: 'POP > 1', credentialId: null }).params).toEqual({
    url: service.url,
    name: 'R',
    layers: [0],
    where: 'POP > 1',
  });
});

test('the breaker follows the newest outage event', () => {
  const e = (id: number, type: string, data: Record<string, unknown> = {}): JobEvent => ({ id, jobId: 1, at: '', type, message: `${type} ${id}`, data });
  expect(breakerFromEvents([]).state).toBe('closed');
  const open = breakerFromEvents([e(1, 'esri.retry'), e(2, 'esri.unavailable', { host: 'h:1', retryAt: '2026-11-29T12:00:05.000Z' })]);
  expect(open).toEqual({ state: 'open', host: 'h:1', retryAt: '2026-11-29T12:00:05.000Z', message: 'esri.unavailable 2' });
  expect(breakerFromEvents([e(2, 'esri.unavailable', { host: 'h:1' }), e(3, 'esri.available', { host: 'h:1' })]).state).toBe('closed');
});

test('layer rows carry progress and, once finished, the counts and checks', () => {
  const item = (label: string, result: Record<string, unknown> | null, state: JobItem['state'] = 'succeeded'): JobItem => ({
    id: 1,
    jobId: 1,
    ordinal: 0,
    label,
    state,
    attempts: 1,
    done: 40,
    total: 46,
    failed: 0,
    bytes: 0,
    skipped: 0,
    error: null,
    result,
    startedAt: null,
    finishedAt: null,
  });
  const [done, running] = layerRows([
    item('2 Borders', { sourceCount: 46, written: 46, idsChecked: true, mode: 'ids', pages: 3, retries: 2, breakerOpenings: 1 }),
    item('0 States', null, 'running'),
  ]);
  expect(done).toMatchObject({ label: '2 Borders', sourceCount: 46, written: 46, idsChecked: true, mode: 'ids', retries: 2, breakerOpenings: 1 });
  expect(running).toMatchObject({ state: 'running', done: 40, total: 46, idsChecked: null, retries: null });
  expect(doneOf(1234, 4556)).toBe('1,234 of 4,556');
  expect(doneOf(12, 0)).toBe('12');
});

test('the wizard checks what it sends with the contract’s schemas, each message at its field', () => {
  expect(serviceUrlErrors('')).toEqual({});
  expect(serviceUrlErrors(' https://h/arcgis/rest/services/Hydro/Rivers/FeatureServer ')).toEqual({});
  expect(serviceUrlErrors('ftp://h/arcgis')).toEqual({ url: 'Enter the server’s http or https address' });
  expect(serviceUrlErrors('not a url')).toEqual({ url: 'Enter the server’s http or https address' });
  expect(startErrors(migrateStartInput({ service, selected: [0], name: 'rivers', where: '', credentialId: null }))).toEqual({});
  expect(startErrors(migrateStartInput({ service, selected: [0], name: 'x'.repeat(201), where: '', credentialId: null }))).toEqual({
    'params.name': expect.stringMatching(/200/),
  });
  expect(Object.keys(startErrors(migrateStartInput({ service, selected: [0], name: '  ', where: '', credentialId: null })))).toEqual(['params.name']);
});
