/**
 * The whole-window drop target: the overlay while files are dragged, refusals before anything is
 * sent (folders, empty files, files over the ingest quota), and, on the desktop host, one ingest
 * job for the dropped files' paths, followed in the panel until it finishes.
 */
import { act } from 'react';
import { afterEach, expect, test } from 'vitest';
import type { JobSummary, Settings } from '../../shared/contract.js';
import type { Handlers } from '../testing/memory-transport.js';
import { type Mounted, mount, waitFor } from '../testing/mount.js';
import { IngestDropZone, dropDeps } from './drop-zone.js';
import { useIngest } from './ingest-store.js';

const settings: Settings = {
  maxRunningJobs: 2,
  maxRunningPerKind: {},
  retentionDays: null,
  metricsEnabled: true,
  cacheQuotaBytes: null,
  freeSpaceFloorBytes: 0,
  ingestJobQuotaBytes: 1000,
};

function handlers(host: 'electron' | 'headless', started: { files: string[] }[]): Handlers {
  return {
    'app.info': () => ({ version: '0.1.0', host, dataDir: '/data', threads: 2 }),
    'settings.get': () => settings,
    'storage.status': () => ({
      volumes: [{ path: '/data', roles: ['data directory'], totalBytes: 10_000, freeBytes: 8000 }],
      quotas: [{ name: 'cache quota (data directory)', jobId: null, limitBytes: 5000, usedBytes: 1000 }],
      freeSpaceFloorBytes: 500,
      warnings: [],
    }),
    'jobs.start': (input) => {
      started.push(input.params as { files: string[] });
      return {
        id: 77,
        kind: 'ingest',
        name: 'ingest',
        state: 'queued',
        items: { total: 0, queued: 0, running: 0, succeeded: 0, partial: 0, failed: 0, cancelled: 0, interrupted: 0 },
        progress: { jobId: 77, done: 0, total: 0, failed: 0, bytes: 0, rate: 0, etaSeconds: null },
      } as unknown as JobSummary;
    },
    'jobs.get': () =>
      ({
        id: 77,
        kind: 'ingest',
        name: 'ingest',
        state: 'running',
        items: { total: 2, queued: 1, running: 1, succeeded: 0, partial: 0, failed: 0, cancelled: 0, interrupted: 0 },
        progress: { jobId: 77, done: 0, total: 10, failed: 0, bytes: 0, rate: 0, etaSeconds: null },
      }) as unknown as JobSummary,
    'jobs.items': () => ({ rows: [], nextCursor: null }),
  };
}

/** A drag event carrying files, as browsers make them (jsdom has no DataTransfer). */
function dragEvent(type: string, entries: { name: string; bytes: number; directory?: boolean }[]): Event {
  const files = entries.map((e) => new File([new Uint8Array(e.bytes)], e.name));
  const items = entries.map((e, i) => ({
    kind: 'file',
    getAsFile: () => files[i]!,
    webkitGetAsEntry: () => ({ name: e.name, isDirectory: e.directory ?? false }),
  }));
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'dataTransfer', { value: { types: ['Files'], items, files, dropEffect: 'none' } });
  return event;
}

/**
 * Adds `files` to the mounted `window.tessera`, as the Electron preload exposes it: one object with
 * the contract and `files`. mount() builds the contract alone, as the browser bridge does.
 */
function offerPaths(pathFor: (file: File) => string | null): void {
  Object.defineProperty(window, 'tessera', { value: { ...window.tessera, files: { pathFor } }, configurable: true, enumerable: true, writable: false });
}

/** vitest's jsdom environment exposes its JSDOM; reconfigure() moves the page to another origin. */
const jsdomInstance = (globalThis as unknown as { jsdom: { reconfigure(settings: { url: string }): void } }).jsdom;
const JSDOM_DEFAULT_URL = 'http://localhost:3000/';

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
  useIngest.setState({ sessions: [] });
  jsdomInstance.reconfigure({ url: JSDOM_DEFAULT_URL });
});
const page = () => mounted!.container;
const rowOf = (name: string) => page().querySelector<HTMLElement>(`[data-testid="ingest-row"][data-name="${name}"]`);

test('dragging files over the window shows the drop overlay; leaving hides it', async () => {
  mounted = await mount(<IngestDropZone />, handlers('headless', []));
  await act(async () => void window.dispatchEvent(dragEvent('dragenter', [{ name: 'a.gpkg', bytes: 10 }])));
  expect(page().querySelector('[data-testid="drop-overlay"]')?.textContent).toContain('Drop to ingest into the catalogue');
  await act(async () => void window.dispatchEvent(dragEvent('dragleave', [{ name: 'a.gpkg', bytes: 10 }])));
  expect(page().querySelector('[data-testid="drop-overlay"]')).toBeNull();
});

test('folders, empty files and files over the quota are refused before a byte is sent', async () => {
  const started: { files: string[] }[] = [];
  mounted = await mount(<IngestDropZone />, handlers('headless', started));
  const drop = dragEvent('drop', [
    { name: 'tiles', bytes: 0, directory: true },
    { name: 'empty.geojson', bytes: 0 },
    { name: 'huge.tif', bytes: 2000 },
  ]);
  await act(async () => void window.dispatchEvent(drop));
  expect(drop.defaultPrevented).toBe(true);
  await waitFor('the refusals', () => page().querySelector('[data-testid="ingest-card"][data-state="nothing"]'));
  expect(rowOf('tiles')!.textContent).toContain('tiles is a folder');
  expect(rowOf('empty.geojson')!.textContent).toContain('empty.geojson is empty (0 bytes)');
  expect(rowOf('huge.tif')!.textContent).toContain('huge.tif (2 KiB) is larger than the ingest quota per job (1000 B); nothing of it was sent');
  expect(page().textContent).toContain('Nothing was ingested: every file was refused.');
  expect(started).toEqual([]);
});

test('on the desktop host the dropped files’ paths go into one ingest job, followed in the panel', async () => {
  const started: { files: string[] }[] = [];
  mounted = await mount(<IngestDropZone />, handlers('electron', started));
  offerPaths((file) => `/home/gis/${file.name}`);
  await waitFor('the host', () => mounted!.callsTo('app.info').length > 0);
  await act(
    async () =>
      void window.dispatchEvent(
        dragEvent('drop', [
          { name: 'roads.shp', bytes: 300 },
          { name: 'roads.dbf', bytes: 200 },
        ]),
      ),
  );
  await waitFor('the job', () => page().querySelector('a[href="#/jobs/77"]'));
  expect(started).toEqual([{ files: ['/home/gis/roads.shp', '/home/gis/roads.dbf'] }]);
  expect(rowOf('roads.shp')).not.toBeNull();
  // The drop's quota gauge counts the files' 500 bytes against its 1000.
  const meter = page().querySelector('[role="meter"][aria-label="This drop’s quota"]')!;
  expect(meter.getAttribute('aria-valuenow')).toBe('500');
  expect(meter.getAttribute('aria-valuemax')).toBe('1000');
});

test('dropDeps on the desktop asks window.tessera.files.pathFor; without it, a drop is refused, not uploaded', async () => {
  mounted = await mount(<IngestDropZone />, handlers('electron', []));
  const file = new File([new Uint8Array(3)], 'rivers.gpkg');

  const bare = dropDeps('electron');
  expect(bare.pathFor).toBeUndefined();
  await expect(bare.upload(file, () => {})).rejects.toMatchObject({
    code: 'BAD_INPUT',
    message: expect.stringContaining('rivers.gpkg: this desktop build cannot see where dropped files are'),
  });

  const asked: File[] = [];
  offerPaths((f) => {
    asked.push(f);
    return f.name === 'rivers.gpkg' ? '/srv/gis/rivers.gpkg' : null;
  });
  const deps = dropDeps('electron');
  expect(deps.pathFor?.(file)).toBe('/srv/gis/rivers.gpkg');
  expect(deps.pathFor?.(new File([], 'made-in-script.geojson'))).toBeNull();
  expect(asked.map((f) => f.name)).toEqual(['rivers.gpkg', 'made-in-script.geojson']);
  expect(asked[0]).toBe(file);
});

test('on the headless host a dropped file goes to the upload route, never to pathFor', async () => {
  const started: { files: string[] }[] = [];
  // Nothing listens on port 1 of loopback: the upload is really sent there and really refused.
  jsdomInstance.reconfigure({ url: 'http://127.0.0.1:1/' });
  mounted = await mount(<IngestDropZone />, handlers('headless', started));
  // The browser bridge's window.tessera has no `files`.
  expect(window.tessera.files).toBeUndefined();
  expect(dropDeps('headless').pathFor).toBeUndefined();
  // Even were a path on offer, the headless host cannot read the page's disk: it still uploads.
  const asked: File[] = [];
  offerPaths((f) => {
    asked.push(f);
    return `/home/gis/${f.name}`;
  });
  expect(dropDeps('headless').pathFor).toBeUndefined();

  await waitFor('the host', () => mounted!.callsTo('app.info').length > 0);
  await act(async () => void window.dispatchEvent(dragEvent('drop', [{ name: 'parcels.geojson', bytes: 40 }])));
  await waitFor('the upload to fail', () => page().querySelector('[data-testid="ingest-card"][data-state="nothing"]'), { timeoutMs: 5000 });
  expect(rowOf('parcels.geojson')!.textContent).toContain('the upload to /uploads failed (the connection broke)');
  expect(asked).toEqual([]);
  expect(started).toEqual([]);
});
