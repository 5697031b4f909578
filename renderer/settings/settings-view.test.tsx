/**
 * The settings form against settings.get/settings.update through the contract: bad values are
 * refused next to their field before anything is sent, a valid edit sends only what changed, and a
 * refusal from the engine lands next to its field too.
 */
import { afterEach, expect, test } from 'vitest';
import type { Settings } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import type { Handlers } from '../testing/memory-transport.js';
import { type Mounted, byText, click, mount, setChecked, setValue, waitFor } from '../testing/mount.js';
import { SettingsView } from './settings-view.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function handlers(initial: Partial<Settings> = {}): Handlers & { current: () => Settings } {
  let settings: Settings = {
    maxRunningJobs: 2,
    maxRunningPerKind: {},
    retentionDays: null,
    metricsEnabled: true,
    cacheQuotaBytes: null,
    freeSpaceFloorBytes: 512 * MiB,
    ingestJobQuotaBytes: null,
    ...initial,
  };
  return {
    'app.info': () => ({ version: '0.1.0-test', host: 'headless', dataDir: '/srv/tessera', threads: 4 }),
    'settings.get': () => settings,
    'settings.update': (patch) => (settings = { ...settings, ...patch } as Settings),
    current: () => settings,
  };
}

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});

const page = () => mounted!.container;
const input = (field: string) => page().querySelector<HTMLInputElement>(`[data-field="${field}"]`)!;
/** The error shown in the form row of a field. */
const errorOf = (field: string) => input(field).closest('.field')?.querySelector('.field-error')?.textContent ?? null;
const button = (name: string) => byText<HTMLButtonElement>(page(), 'button', name)!;
const radio = (name: string, label: string) =>
  [...page().querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${name}"]`)].find((r) => r.parentElement?.textContent?.trim() === label)!;

async function open(h: Handlers): Promise<Mounted> {
  mounted = await mount(<SettingsView />, h);
  await waitFor('the form', () => page().querySelector('[data-field="maxRunningJobs"]'));
  await waitFor('the data directory', () => page().querySelector<HTMLInputElement>('[data-testid="data-dir"]')?.value === '/srv/tessera');
  return mounted;
}

test('the form shows the engine’s settings, and the data directory read-only with where it comes from', async () => {
  await open(handlers({ cacheQuotaBytes: 150 * GiB, retentionDays: 14, maxRunningPerKind: { verify: 1 } }));
  const dataDir = page().querySelector<HTMLInputElement>('[data-testid="data-dir"]')!;
  expect(dataDir.readOnly).toBe(true);
  expect(dataDir.closest('.field')?.textContent).toContain('--data-dir');
  expect(dataDir.closest('.field')?.textContent).toContain('TESSERA_DATA_DIR');
  expect(input('maxRunningJobs').value).toBe('2');
  expect(input('maxRunningPerKind.verify').value).toBe('1');
  expect(radio('quota', 'limit to').checked).toBe(true);
  expect(input('cacheQuotaBytes').value).toBe('150');
  expect(page().querySelector<HTMLSelectElement>('select[aria-label="Cache quota unit"]')?.value).toBe('GiB');
  expect(input('freeSpaceFloorBytes').value).toBe('512');
  expect(page().querySelector<HTMLSelectElement>('select[aria-label="Free-space floor unit"]')?.value).toBe('MiB');
  expect(radio('retention', 'for').checked).toBe(true);
  expect(input('retentionDays').value).toBe('14');
  expect(input('metricsEnabled').checked).toBe(true);
  expect(button('Save').disabled).toBe(true);
});

test('max running jobs 0 is refused next to its field, and nothing is sent', async () => {
  const m = await open(handlers());
  await setValue(input('maxRunningJobs'), '0');
  expect(errorOf('maxRunningJobs')).toBe('Must be at least 1');
  expect(input('maxRunningJobs').getAttribute('aria-invalid')).toBe('true');
  // The message is tied to the field for assistive technology.
  const describedBy = input('maxRunningJobs').getAttribute('aria-describedby')!.split(' ');
  expect(describedBy.map((id) => document.getElementById(id)?.textContent)).toContain('Must be at least 1');

  await click(button('Save'));
  expect(m.callsTo('settings.update')).toEqual([]);
  expect(page().textContent).toContain('Nothing was saved: fix the fields marked above.');
  expect(document.activeElement).toBe(input('maxRunningJobs'));

  await setValue(input('maxRunningJobs'), '2.5');
  expect(errorOf('maxRunningJobs')).toBe('Must be a whole number');
  await setValue(input('maxRunningJobs'), '65');
  expect(errorOf('maxRunningJobs')).toBe('Must be at most 64');
  await setValue(input('maxRunningJobs'), '');
  expect(errorOf('maxRunningJobs')).toBe('Enter a number');
  await setValue(input('maxRunningPerKind.verify'), '0');
  expect(errorOf('maxRunningPerKind.verify')).toBe('Must be at least 1');
  await click(radio('retention', 'for'));
  await setValue(input('retentionDays'), '0');
  expect(errorOf('retentionDays')).toBe('Must be at least 1');
  await click(button('Save'));
  expect(m.callsTo('settings.update')).toEqual([]);
});

test('a valid edit sends only what changed, then shows Saved', async () => {
  const h = handlers();
  const m = await open(h);
  await setValue(input('maxRunningJobs'), '3');
  await click(radio('retention', 'for'));
  await setValue(input('retentionDays'), '30');
  await click(radio('quota', 'limit to'));
  await setValue(input('cacheQuotaBytes'), '1.5');
  await setValue(input('maxRunningPerKind.verify'), '1');
  await setChecked(input('metricsEnabled'), false);
  expect(page().querySelector('[data-testid="save-status"]')?.textContent).toBe('Unsaved changes');

  await click(button('Save'));
  await waitFor('the save', () => page().querySelector('[data-testid="save-status"]')?.textContent?.startsWith('Saved'));
  expect(m.callsTo('settings.update')).toEqual([
    { maxRunningJobs: 3, retentionDays: 30, cacheQuotaBytes: 1.5 * GiB, maxRunningPerKind: { verify: 1 }, metricsEnabled: false },
  ]);
  expect(h.current()).toMatchObject({ maxRunningJobs: 3, retentionDays: 30, cacheQuotaBytes: 1.5 * GiB, freeSpaceFloorBytes: 512 * MiB });
  // The form now shows what the engine answered, with nothing left to save.
  expect(input('retentionDays').value).toBe('30');
  expect(button('Save').disabled).toBe(true);

  // Only the floor, in GiB (the unit first: switching it converts what is typed): nothing else is sent again.
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Free-space floor unit"]')!, 'GiB');
  await setValue(input('freeSpaceFloorBytes'), '2');
  await click(button('Save'));
  await waitFor('the second save', () => m.callsTo('settings.update').length === 2);
  expect(m.callsTo('settings.update')[1]).toEqual({ freeSpaceFloorBytes: 2 * GiB });

  // Turning retention and the quota off sends null for each.
  await click(radio('retention', 'forever'));
  await click(radio('quota', 'none'));
  await click(button('Save'));
  await waitFor('the third save', () => m.callsTo('settings.update').length === 3);
  expect(m.callsTo('settings.update')[2]).toEqual({ retentionDays: null, cacheQuotaBytes: null });
});

test('the ingest quota per job: off, a limit in any unit, refused when not positive', async () => {
  const m = await open(handlers({ ingestJobQuotaBytes: 2 * GiB }));
  expect(radio('ingestQuota', 'limit to').checked).toBe(true);
  expect(input('ingestJobQuotaBytes').value).toBe('2');
  await setValue(input('ingestJobQuotaBytes'), '0');
  await click(button('Save'));
  expect(errorOf('ingestJobQuotaBytes')).toBe('Must be more than 0');
  expect(m.callsTo('settings.update')).toEqual([]);
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Ingest quota unit"]')!, 'MiB');
  await setValue(input('ingestJobQuotaBytes'), '500');
  await click(button('Save'));
  await waitFor('the save', () => m.callsTo('settings.update').length === 1);
  expect(m.callsTo('settings.update')[0]).toEqual({ ingestJobQuotaBytes: 500 * MiB });
  await click(radio('ingestQuota', 'none'));
  await click(button('Save'));
  await waitFor('the second save', () => m.callsTo('settings.update').length === 2);
  expect(m.callsTo('settings.update')[1]).toEqual({ ingestJobQuotaBytes: null });
});

test('Reset puts back what the engine has', async () => {
  const m = await open(handlers());
  await setValue(input('maxRunningJobs'), '0');
  await click(radio('retention', 'for'));
  await click(button('Reset'));
  expect(input('maxRunningJobs').value).toBe('2');
  expect(radio('retention', 'forever').checked).toBe(true);
  expect(errorOf('maxRunningJobs')).toBeNull();
  expect(m.callsTo('settings.update')).toEqual([]);
});

test('a BAD_INPUT from the engine shows next to the field it names, until that field is edited', async () => {
  const h = handlers();
  const m = await open({
    ...h,
    'settings.update': () => {
      throw new TesseraError('BAD_INPUT', 'settings.update: freeSpaceFloorBytes: larger than the volume', {
        details: { request: 'settings.update', issues: [{ field: 'freeSpaceFloorBytes', message: 'larger than the volume (100 GiB)' }] },
      });
    },
  });
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Free-space floor unit"]')!, 'GiB');
  await setValue(input('freeSpaceFloorBytes'), '900');
  await click(button('Save'));
  await waitFor('the engine’s error', () => errorOf('freeSpaceFloorBytes'));
  expect(m.callsTo('settings.update')).toEqual([{ freeSpaceFloorBytes: 900 * GiB }]);
  expect(errorOf('freeSpaceFloorBytes')).toBe('larger than the volume (100 GiB)');
  expect(page().querySelector('[data-testid="save-status"]')?.textContent).not.toContain('Saved');

  await setValue(input('freeSpaceFloorBytes'), '50');
  expect(errorOf('freeSpaceFloorBytes')).toBeNull();
});

test('any other failure to save is shown as such', async () => {
  await open({
    ...handlers(),
    'settings.update': () => {
      throw new TesseraError('STORE_UNAVAILABLE', 'the job store is closed');
    },
  });
  await setChecked(input('metricsEnabled'), false);
  await click(button('Save'));
  const alert = await waitFor('the alert', () => byText(page(), '[role="alert"]', /^Could not save/));
  expect(alert.textContent).toBe('Could not save: the job store is closed');
});

test('data roots: one folder per line, a relative one refused next to the field, a valid list sent as a list; GDAL virtual paths off until allowed', async () => {
  const h = handlers({ dataRoots: [], allowGdalVirtualPaths: false });
  const m = await open(h);
  const roots = page().querySelector<HTMLTextAreaElement>('[data-field="dataRoots"]')!;
  expect(roots.value).toBe('');
  expect(input('allowGdalVirtualPaths').checked).toBe(false);

  await setValue(roots, '/srv/geodata\ntiles/here\n');
  await click(button('Save'));
  expect(roots.closest('.field')?.querySelector('.field-error')?.textContent).toBe('must be an absolute folder path');
  expect(m.callsTo('settings.update')).toEqual([]);

  await setValue(roots, '  /srv/geodata\n\n/srv/tiles  \n');
  await setChecked(input('allowGdalVirtualPaths'), true);
  await click(button('Save'));
  await waitFor('the save', () => m.callsTo('settings.update').length === 1);
  expect(m.callsTo('settings.update')[0]).toEqual({ dataRoots: ['/srv/geodata', '/srv/tiles'], allowGdalVirtualPaths: true });
  expect(h.current().dataRoots).toEqual(['/srv/geodata', '/srv/tiles']);
});

test("plan sources: one per line, a relative one refused at its field, the engine's refusal shown at the field, a valid list saved", async () => {
  const h = handlers({ planSources: [] });
  const update = h['settings.update']!;
  // The engine checks what the form cannot: that the folder exists.
  h['settings.update'] = (patch) => {
    if (patch.planSources?.includes('/srv/nope')) {
      throw new TesseraError('BAD_INPUT', 'planSources.1: /srv/nope does not exist', {
        details: { issues: [{ field: 'planSources.1', message: '/srv/nope does not exist' }] },
      });
    }
    return update(patch);
  };
  const m = await open(h);
  const sources = page().querySelector<HTMLTextAreaElement>('[data-field="planSources"]')!;
  expect(sources.value).toBe('');

  await setValue(sources, '/srv/plans\nplans/here');
  await click(button('Save'));
  expect(sources.closest('.field')?.querySelector('.field-error')?.textContent).toBe('must be an absolute folder path or a git URL');
  expect(m.callsTo('settings.update')).toEqual([]);

  await setValue(sources, '/srv/plans\n/srv/nope');
  await click(button('Save'));
  await waitFor('the refusal at the field', () => sources.closest('.field')?.querySelector('.field-error')?.textContent?.includes('/srv/nope does not exist'));
  expect(h.current().planSources).toEqual([]);

  await setValue(sources, ' /srv/plans \n\nhttps://git.example.com/gis/plans.git#main:seed\n');
  await click(button('Save'));
  await waitFor('the save', () => h.current().planSources?.length === 2);
  expect(h.current().planSources).toEqual(['/srv/plans', 'https://git.example.com/gis/plans.git#main:seed']);
});

test('switching a unit converts the amount: 500 GiB becomes 512000 MiB, and the same size is saved', async () => {
  const m = await open(handlers({ ingestJobQuotaBytes: 500 * GiB }));
  expect(input('ingestJobQuotaBytes').value).toBe('500');
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Ingest quota unit"]')!, 'MiB');
  expect(input('ingestJobQuotaBytes').value).toBe('512000');
  // The same size in another unit is no change at all.
  expect(button('Save').disabled).toBe(true);
  await setValue(input('ingestJobQuotaBytes'), '1024');
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Ingest quota unit"]')!, 'GiB');
  expect(input('ingestJobQuotaBytes').value).toBe('1');
  await click(button('Save'));
  await waitFor('the save', () => m.callsTo('settings.update').length === 1);
  expect(m.callsTo('settings.update')[0]).toEqual({ ingestJobQuotaBytes: GiB });
});

test('a floor above the volume or a quota below what is used is warned of before saving, and saved only on Save anyway', async () => {
  const h = handlers();
  const m = await open({
    ...h,
    'storage.status': () => ({
      volumes: [{ path: '/srv/tessera', roles: ['data directory'], totalBytes: 252 * GiB, freeBytes: 77 * GiB }],
      quotas: [{ name: 'cache quota (data directory)', jobId: null, limitBytes: null, usedBytes: 101.7 * MiB }],
      freeSpaceFloorBytes: 512 * MiB,
      warnings: [],
    }),
  });
  const warnings = () => [...page().querySelectorAll('[data-testid="settings-warnings"] li')].map((li) => li.textContent);
  expect(warnings()).toEqual([]);
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Free-space floor unit"]')!, 'GiB');
  await setValue(input('freeSpaceFloorBytes'), '500');
  await waitFor('the floor warning', () => warnings().length === 1);
  expect(warnings()).toEqual(["Every preseed and upload writing to /srv/tessera will wait for ever: the floor 500 GiB is above this volume's 252 GiB."]);
  await click(radio('quota', 'limit to'));
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Cache quota unit"]')!, 'MiB');
  await setValue(input('cacheQuotaBytes'), '50');
  expect(warnings()[1]).toBe('Every job that writes to the data directory will be refused: the quota 50 MiB is below the 101.7 MiB already used.');

  await click(button('Save'));
  expect(m.callsTo('settings.update')).toEqual([]);
  expect(page().querySelector('[data-testid="settings-confirm"]')?.textContent).toMatch(/Not saved yet/);
  await click(button('Save anyway'));
  await waitFor('the save', () => m.callsTo('settings.update').length === 1);
  expect(m.callsTo('settings.update')[0]).toEqual({ freeSpaceFloorBytes: 500 * GiB, cacheQuotaBytes: 50 * MiB });
});

test('task queue: a redis:// URL saved, anything else refused at its field, emptied back to null (the engine’s own threads)', async () => {
  const h = handlers({ queue: null });
  const m = await open(h);
  expect(input('queue').value).toBe('');

  await setValue(input('queue'), 'http://queue.example:6379/0');
  await click(button('Save'));
  expect(errorOf('queue')).toBe('must be redis://HOST:PORT/DB (rediss:// for TLS)');
  expect(m.callsTo('settings.update')).toEqual([]);

  await setValue(input('queue'), ' redis://:s3cret@queue.example:6379/2 ');
  await click(button('Save'));
  await waitFor('the save', () => m.callsTo('settings.update').length === 1);
  expect(m.callsTo('settings.update')[0]).toEqual({ queue: 'redis://:s3cret@queue.example:6379/2' });

  await setValue(input('queue'), '');
  await click(button('Save'));
  await waitFor('the second save', () => m.callsTo('settings.update').length === 2);
  expect(m.callsTo('settings.update')[1]).toEqual({ queue: null });
  expect(h.current().queue).toBeNull();
});

test('task queue: the stored password shows as •••, a save of other fields leaves it alone, and a --queue run says the setting waits for a start without it', async () => {
  const h = {
    ...handlers({ queue: 'redis://:•••@queue.example:6379/0' }),
    'workers.list': () => ({ queue: 'redis://:***@other.example:6379/1', source: 'option' as const, state: 'connected' as const, depth: 0, workers: [] }),
  };
  const m = await open(h);
  expect(input('queue').value).toBe('redis://:•••@queue.example:6379/0');
  await waitFor('the --queue note', () => page().querySelector('[data-testid="queue-override"]'));
  expect(page().querySelector('[data-testid="queue-override"]')!.textContent).toContain(
    'This run uses redis://:***@other.example:6379/1 from --queue: a change here takes effect only when Tessera starts without --queue.',
  );
  expect(input('queue').closest('.field')!.textContent).toContain('applies to jobs started afterwards');
  expect(input('queue').closest('.field')!.textContent).toContain('take raster, vector-partition and verify tasks');

  await setValue(input('maxRunningJobs'), '3');
  await click(button('Save'));
  await waitFor('the save', () => m.callsTo('settings.update').length === 1);
  expect(m.callsTo('settings.update')[0]).toEqual({ maxRunningJobs: 3 });
});

test('switching a unit back and forth keeps the exact size: 500 MiB → 0.488 GiB → 500 MiB, and saving in GiB changes nothing', async () => {
  const m = await open(handlers({ freeSpaceFloorBytes: 500 * MiB }));
  const unit = () => page().querySelector<HTMLSelectElement>('select[aria-label="Free-space floor unit"]')!;
  expect(input('freeSpaceFloorBytes').value).toBe('500');
  await setValue(unit(), 'GiB');
  expect(input('freeSpaceFloorBytes').value).toBe('0.488');
  await setValue(unit(), 'MiB');
  expect(input('freeSpaceFloorBytes').value).toBe('500');
  await setValue(unit(), 'GiB');
  await setValue(input('maxRunningJobs'), '3');
  await click(button('Save'));
  await waitFor('the save', () => m.callsTo('settings.update').length === 1);
  expect(m.callsTo('settings.update')[0]).toEqual({ maxRunningJobs: 3 });
});
