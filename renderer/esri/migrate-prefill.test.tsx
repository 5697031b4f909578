/**
 * "Run again with these settings" for an Esri migration: the wizard opens with the earlier job's
 * service, credentials (by id), layers, filter and name, reads the service again by itself, and
 * the job it starts has those settings; nothing starts before the operator says so.
 */
import { afterEach, expect, test } from 'vitest';
import type { EsriService, JobSummary } from '../../shared/contract.js';
import { type Mounted, byText, click, mount, waitFor } from '../testing/mount.js';
import { prefillMigration, useMigratePrefill } from './migrate-prefill.js';
import { MigrateView } from './migrate-view.js';

const URL_ = 'http://127.0.0.1:7341/arcgis/rest/services/world/FeatureServer';
const layer = (id: number, name: string) => ({
  id,
  name,
  type: 'layer' as const,
  geometryType: 'esriGeometryPolygon',
  fields: [],
  crs: 'EPSG:4326',
  maxRecordCount: 1000,
  supportsPagination: true,
  supportsAdvancedQueries: true,
  count: 10,
  error: null,
});
const service: EsriService = {
  url: URL_,
  type: 'FeatureServer',
  name: 'world',
  services: [],
  layers: [layer(0, 'States'), layer(1, 'Countries'), layer(2, 'Rivers')],
};

let m: Mounted | undefined;
afterEach(async () => {
  await m?.unmount();
  m = undefined;
});

test('the wizard opens with the earlier job’s settings, reads the service, and starts only when asked', async () => {
  prefillMigration({ url: URL_, layers: [2], where: 'pop > 1000', credentialId: 'cred_abc', name: 'world rivers' });
  m = await mount(<MigrateView />, {
    'esri.discover': () => service,
    'jobs.start': (input) => ({ id: 12, kind: 'migrate-esri', state: 'queued', params: input.params }) as unknown as JobSummary,
    'jobs.get': () => ({ id: 12, kind: 'migrate-esri', state: 'queued' }) as unknown as JobSummary,
    'jobs.items': () => ({ rows: [], nextCursor: null }),
    'jobs.events': () => [],
  });
  const c = m.container;
  await waitFor('the layers', () => c.querySelector('tr[data-layer="2"]'));
  expect(m.callsTo('esri.discover')).toEqual([{ url: URL_, credentialId: 'cred_abc' }]);
  expect(c.querySelector<HTMLInputElement>('input[type="url"]')!.value).toBe(URL_);
  expect(c.textContent).toContain('1 of 3 selected');
  // Taken once: the next opening of the wizard is blank.
  expect(useMigratePrefill.getState().prefill).toBeNull();
  expect(m.callsTo('jobs.start')).toEqual([]);

  await click(byText(c, 'button', 'Start the migration')!);
  await waitFor('the start', () => m!.callsTo('jobs.start').length === 1);
  expect(m.callsTo('jobs.start')[0]).toMatchObject({
    kind: 'migrate-esri',
    params: { url: URL_, layers: [2], where: 'pop > 1000', credentialId: 'cred_abc', name: 'world rivers' },
  });
});
