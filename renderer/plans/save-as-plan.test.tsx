/**
 * The "Save as plan" panel on its own: a name in use is refused by the engine and said, the file
 * name can be changed and saved again; with no folder source it offers Download and Copy only.
 */
import { afterEach, expect, test } from 'vitest';
import { TesseraError } from '../../shared/errors.js';
import { type Mounted, byText, click, mount, setValue, waitFor } from '../testing/mount.js';
import { SaveAsPlanPanel, isFolderSource, suggestedFileName } from './save-as-plan.js';

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});
const page = () => mounted!.container;
const button = (name: string | RegExp) => byText<HTMLButtonElement>(page(), 'button', name);
const origin = { queryKey: ['t'], load: async () => ({ fileName: 'west.yaml', yaml: 'name: west\n' }), what: 'starts this preseed' };

test('folder sources: absolute paths (POSIX or Windows), not git URLs', () => {
  expect(['/srv/plans', 'C:\\plans', 'https://x/y.git#main', 'git@host:x.git'].map(isFolderSource)).toEqual([true, true, false, false]);
});

test('the offered file name is the output file’s stem, else the engine’s', () => {
  const yaml = 'name: preseed-raster-bluemarble.tif-bm.mbtiles\nkind: preseed-raster\nparams:\n  output: /work/dA/bm.mbtiles\n';
  expect(suggestedFileName('preseed-raster-bluemarble.tif-bm.mbtiles.yaml', yaml)).toBe('bm.yaml');
  expect(suggestedFileName('x.yaml', "params:\n  output: 'C:\\tiles\\alps dem.gpkg'\n")).toBe('alps-dem.yaml');
  expect(suggestedFileName('west.yaml', 'name: west\n')).toBe('west.yaml');
});

test('a file name in use is refused and said; renamed, it is saved', async () => {
  mounted = await mount(<SaveAsPlanPanel origin={origin} onClose={() => {}} />, {
    'plans.sources': () => ['/srv/plans'],
    'plans.save': (input) => {
      if (input.fileName === 'west.yaml') throw new TesseraError('BAD_INPUT', 'fileName: west.yaml exists in /srv/plans; a plan is never written over a file');
      return { path: `${input.source}/${input.fileName}` };
    },
  });
  await waitFor('the folder choice', () => button('Save to folder') !== null);
  await click(button('Save to folder')!);
  await waitFor('the refusal', () => byText(page(), '[role="alert"]', /Not saved: fileName: west\.yaml exists/) !== null);
  await setValue(page().querySelector<HTMLInputElement>('[data-testid="plan-save-to"] input')!, 'west-z6.yaml');
  await click(button('Save to folder')!);
  await waitFor('saved', () => page().querySelector('[data-testid="plan-saved"]') !== null);
  expect(mounted.callsTo('plans.save').map((c) => c.fileName)).toEqual(['west.yaml', 'west-z6.yaml']);
  expect(button('Save to folder')?.disabled).toBe(true);
});

test('no folder source: Download and Copy only, and why', async () => {
  mounted = await mount(<SaveAsPlanPanel origin={origin} onClose={() => {}} />, { 'plans.sources': () => [] });
  await waitFor('the plan', () => page().querySelector('[data-testid="plan-text"]') !== null);
  await waitFor('the sources', () => mounted!.callsTo('plans.sources').length === 1);
  expect(button('Save to folder')).toBeNull();
  expect(page().textContent).toMatch(/No plan source folder is set up/);
  expect(button('Download west.yaml')).not.toBeNull();
});
