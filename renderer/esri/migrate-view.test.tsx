/**
 * The migration wizard against the real contract over the in-memory transport (every call checked
 * with the contract's schemas): a token saved once and then used by id only, the discovered
 * layers with their counts, the job started with exactly the chosen layers, then per-layer
 * progress, the breaker's banner from the job's events, and the checks at the end.
 */
import { act } from 'react';
import { afterEach, expect, test } from 'vitest';
import type { JobParamsOf, EsriService, JobEvent, JobItem, JobSummary } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import type { Handlers } from '../testing/memory-transport.js';
import { type Mounted, byText, click, mount, setValue, waitFor } from '../testing/mount.js';
import { MigrateView } from './migrate-view.js';

const URL_ = 'http://127.0.0.1:7341/arcgis/rest/services/Natural_Earth/world/FeatureServer';
const TOKEN = 'super-secret-token-0123';

const service: EsriService = {
  url: URL_,
  type: 'FeatureServer',
  name: 'world',
  services: [],
  layers: [
    {
      id: 0,
      name: 'States and provinces',
      type: 'layer',
      geometryType: 'esriGeometryPolygon',
      fields: [],
      crs: 'EPSG:4326',
      maxRecordCount: 1000,
      supportsPagination: true,
      supportsAdvancedQueries: true,
      count: 4556,
      error: null,
    },
    {
      id: 1,
      name: 'Countries',
      type: 'layer',
      geometryType: 'esriGeometryPolygon',
      fields: [],
      crs: 'EPSG:4326',
      maxRecordCount: 50,
      supportsPagination: false,
      supportsAdvancedQueries: true,
      count: 240,
      error: null,
    },
    {
      id: 6,
      name: 'Country codes',
      type: 'table',
      geometryType: null,
      fields: [],
      crs: null,
      maxRecordCount: 100,
      supportsPagination: true,
      supportsAdvancedQueries: true,
      count: 240,
      error: null,
    },
  ],
};

function summary(state: JobSummary['state'], params: JobParamsOf<'migrate-esri'>): JobSummary {
  const now = '2026-11-29T12:00:00.000Z';
  return {
    id: 9,
    kind: 'migrate-esri',
    name: 'migrate world from 127.0.0.1:7341',
    state,
    priority: 0,
    params,
    createdAt: now,
    startedAt: now,
    finishedAt: state === 'succeeded' ? now : null,
    updatedAt: now,
    runSeconds: 0,
    items: {
      total: 2,
      queued: 0,
      running: state === 'running' ? 2 : 0,
      succeeded: state === 'succeeded' ? 2 : 0,
      partial: 0,
      failed: 0,
      cancelled: 0,
      interrupted: 0,
    },
    progress: { jobId: 9, done: 0, total: 4796, failed: 0, bytes: 0, skipped: 0, rate: 0, etaSeconds: null },
    error: null,
  };
}

function item(label: string, done: number, total: number, result: Record<string, unknown> | null, state: JobItem['state']): JobItem {
  return {
    id: done + total,
    jobId: 9,
    ordinal: 0,
    label,
    state,
    attempts: 1,
    done,
    total,
    failed: 0,
    bytes: 0,
    skipped: 0,
    error: null,
    result,
    startedAt: null,
    finishedAt: null,
  };
}

let m: Mounted | undefined;
afterEach(async () => {
  await m?.unmount();
  m = undefined;
});

test('from URL and token to a finished copy, the secret sent once and never again', async () => {
  let phase: 'running' | 'waiting' | 'done' = 'running';
  let params: JobParamsOf<'migrate-esri'> | null = null;
  const events = (): JobEvent[] => {
    const base: JobEvent[] = [{ id: 1, jobId: 9, at: '', type: 'esri.retry', message: '0 States and provinces: http-5xx; attempt 2 in 40 ms', data: {} }];
    if (phase === 'done')
      base.push({
        id: 3,
        jobId: 9,
        at: '',
        type: 'esri.available',
        message: 'source available again (127.0.0.1:7341) after 5.2 s',
        data: { host: '127.0.0.1:7341' },
      });
    if (phase !== 'running')
      base.splice(1, 0, {
        id: 2,
        jobId: 9,
        at: '',
        type: 'esri.unavailable',
        message: 'source unavailable (127.0.0.1:7341): ECONNREFUSED; retrying at 2026-11-29T12:00:05.000Z',
        data: { host: '127.0.0.1:7341', retryAt: '2026-11-29T12:00:05.000Z' },
      });
    return base;
  };
  const handlers: Handlers = {
    'credentials.save': () => ({ id: 'cred_abc' }),
    'esri.discover': () => service,
    'jobs.start': (input) => {
      if (input.kind !== 'migrate-esri') throw new Error(`the wizard started a ${input.kind} job`);
      params = input.params;
      return summary('running', input.params);
    },
    'jobs.get': () => summary(phase === 'done' ? 'succeeded' : 'running', params!),
    'jobs.items': () => ({
      rows:
        phase === 'done'
          ? [
              item(
                '0 States and provinces',
                4556,
                4556,
                { sourceCount: 4556, written: 4556, idsChecked: true, mode: 'offset', pages: 5, retries: 1, breakerOpenings: 1 },
                'succeeded',
              ),
              item(
                '6 Country codes',
                240,
                240,
                { sourceCount: 240, written: 240, idsChecked: true, mode: 'offset', pages: 3, retries: 0, breakerOpenings: 0 },
                'succeeded',
              ),
            ]
          : [item('0 States and provinces', 2000, 4556, null, 'running'), item('6 Country codes', 0, 240, null, 'queued')],
      nextCursor: null,
    }),
    'jobs.events': () => events(),
  };
  m = await mount(<MigrateView />, handlers);
  const c = m.container;
  await setValue(c.querySelector<HTMLInputElement>('input[type="url"]')!, `${URL_}/?f=json`);
  await click(byText<HTMLInputElement>(c, 'label', 'Token')!.querySelector('input')!);
  await setValue(c.querySelector<HTMLInputElement>('input[aria-label="Token"]')!, TOKEN);
  await click(byText(c, 'button', 'Discover layers')!);
  await waitFor('the layers', () => c.querySelector('tr[data-layer="6"]'));

  expect(m.callsTo('credentials.save')).toEqual([{ url: `${URL_}/?f=json`, token: TOKEN }]);
  expect(m.callsTo('esri.discover')).toEqual([{ url: `${URL_}/?f=json`, credentialId: 'cred_abc' }]);
  // The secret leaves the page once saved.
  expect(c.querySelector<HTMLInputElement>('input[aria-label="Token"]')!.value).toBe('');
  expect(c.querySelector('tr[data-layer="0"] [data-column="count"]')!.textContent).toBe('4,556');
  expect(c.textContent).toContain('3 of 3 selected, 5,036 features');
  expect(c.querySelector('tr[data-layer="1"]')!.textContent).toContain('id batches');

  // Leave the countries out; the dataset name defaults to the service's.
  await click(c.querySelector<HTMLInputElement>('input[aria-label="Copy Countries"]')!);
  expect(byText<HTMLInputElement>(c, 'label', 'Dataset name')).not.toBeNull();
  await click(byText(c, 'button', 'Start the migration')!);
  await waitFor('the run', () => c.querySelector('[data-testid="migrate-state"]'));
  expect(m.callsTo('jobs.start')).toEqual([
    { kind: 'migrate-esri', params: { url: URL_, name: 'world', layers: [0, 6], credentialId: 'cred_abc' }, priority: 0 },
  ]);
  expect(JSON.stringify(m.calls.filter((call) => call.name !== 'credentials.save'))).not.toContain(TOKEN);

  await waitFor('per-layer progress', () =>
    c.querySelector('tr[data-label="0 States and provinces"] [data-column="progress"]')?.textContent?.includes('2,000 of 4,556'),
  );
  expect(c.querySelector('[data-testid="breaker"]')!.getAttribute('data-state')).toBe('closed');

  phase = 'waiting';
  await waitFor('the breaker to show the outage', () => c.querySelector('[data-testid="breaker"][data-state="open"]'), { timeoutMs: 4000 });
  expect(c.querySelector('[data-testid="breaker"]')!.textContent).toMatch(/Source unavailable \(127\.0\.0\.1:7341\): waiting, retrying at/);

  phase = 'done';
  await waitFor('the finished report', () => c.querySelector('[data-testid="migrate-state"]')?.textContent === 'succeeded', { timeoutMs: 4000 });
  await waitFor(
    'the checks',
    () => c.querySelector('tr[data-label="0 States and provinces"] [data-column="checked"]')?.textContent?.includes('count and ids match'),
    { timeoutMs: 4000 },
  );
  expect(c.querySelector('tr[data-label="0 States and provinces"] [data-column="retries"]')!.textContent).toBe('1 (breaker opened 1×)');
  expect(c.querySelector('[data-testid="breaker"]')!.getAttribute('data-state')).toBe('closed');
  expect(c.querySelector('[data-testid="breaker"]')!.textContent).toBe('Source available again (127.0.0.1:7341) after 5.2 s.');
  expect(c.querySelector('a[href="#/jobs/9"]')).not.toBeNull();
}, 20_000);

test('a folder lists its services; a refusal from the server is shown with its code', async () => {
  const folder: EsriService = {
    url: 'http://h/arcgis/rest/services/Natural_Earth',
    type: 'folder',
    name: 'Natural_Earth',
    services: [{ name: 'Natural_Earth/world', type: 'FeatureServer', url: URL_ }],
    layers: [],
  };
  m = await mount(<MigrateView />, {
    'esri.discover': (input) => {
      if (input.url === folder.url) return folder;
      throw new TesseraError('UNAUTHORIZED', 'the server answered error 499: Token Required (a token is required)');
    },
  });
  const c = m.container;
  await setValue(c.querySelector<HTMLInputElement>('input[type="url"]')!, folder.url);
  await click(byText(c, 'button', 'Discover layers')!);
  await waitFor('the folder', () => byText(c, 'button', 'Natural_Earth/world'));
  await click(byText(c, 'button', 'Natural_Earth/world')!);
  await waitFor('the refusal', () => c.querySelector('[role="alert"]'));
  expect(c.querySelector('[role="alert"]')!.textContent).toBe('UNAUTHORIZED: the server answered error 499: Token Required (a token is required)');
  expect(m.callsTo('esri.discover').map((i) => i.url)).toEqual([folder.url, URL_]);
});

test('a wrong URL is said at its field once it is left, not while it is typed; the engine’s refusal of a name lands at the name', async () => {
  m = await mount(<MigrateView />, {
    'esri.discover': () => service,
    'jobs.start': () => {
      throw new TesseraError('BAD_INPUT', 'jobs.start: params.name: a dataset of that name is being written', {
        details: { request: 'jobs.start', issues: [{ field: 'params.name', message: 'a dataset of that name is being written' }] },
      });
    },
  });
  const c = m.container;
  const urlInput = c.querySelector<HTMLInputElement>('input[data-field="url"]')!;
  await setValue(urlInput, 'ftp://h/arcgis');
  expect(urlInput.getAttribute('aria-invalid')).toBe('false');
  expect(c.querySelector('[role="alert"]')).toBeNull();
  await act(async () => urlInput.dispatchEvent(new FocusEvent('focusout', { bubbles: true })));
  expect(urlInput.getAttribute('aria-invalid')).toBe('true');
  expect(c.querySelector('.field.has-error [role="alert"]')?.textContent).toBe('Enter the server’s http or https address');
  // Discover sends nothing while the URL is wrong.
  await click(byText(c, 'button', 'Discover layers')!);
  expect(m.callsTo('esri.discover')).toEqual([]);
  expect(document.activeElement).toBe(urlInput);

  await setValue(urlInput, URL_);
  expect(c.querySelector('.field.has-error')).toBeNull();
  await click(byText(c, 'button', 'Discover layers')!);
  await waitFor('the layers', () => c.querySelector('tr[data-layer="6"]'));
  await click(byText(c, 'button', 'Start the migration')!);
  const nameInput = c.querySelector<HTMLInputElement>('input[data-field="params.name"]')!;
  await waitFor('the refusal at the name', () => nameInput.getAttribute('aria-invalid') === 'true');
  expect(nameInput.closest('.field')!.querySelector('[role="alert"]')!.textContent).toBe('a dataset of that name is being written');
  // Said at its field, so not again beside the button; and gone once the name is edited.
  expect(c.querySelectorAll('[role="alert"]').length).toBe(1);
  await setValue(nameInput, 'world 2');
  expect(nameInput.getAttribute('aria-invalid')).toBe('false');
  expect(c.querySelector('[role="alert"]')).toBeNull();
});
