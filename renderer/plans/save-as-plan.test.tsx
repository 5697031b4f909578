/**
 * The "Save as plan" panel on its own: a name in use is refused by the engine and said, the file
 * name can be changed and saved again; with no folder source it offers Download and Copy only.
 */
import { afterEach, expect, test } from 'vitest';
import { TesseraError } from '../../shared/errors.js';
import { type Mounted, byText, click, mount, setValue, waitFor } from '../testing/mount.js';
import { parse } from 'yaml';
import { SaveAsPlanPanel, isFolderSource } from './save-as-plan.js';

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});
const page = () => mounted!.container;
const button = (name: string | RegExp) => byText<HTMLButtonElement>(page(), 'button', name);
const origin = {
  queryKey: ['t'],
  load: async () => ({ fileName: 'west.yaml', yaml: '# Made by Tessera\nname: west\nkind: verify\nparams:\n  cache: /srv/west.mbtiles\n' }),
  what: 'starts this preseed',
};
const nameInput = () => page().querySelector<HTMLInputElement>('[data-testid="plan-name"]')!;
const planText = () => page().querySelector('[data-testid="plan-text"]')!.textContent ?? '';

test('folder sources: absolute paths (POSIX or Windows), not git URLs', () => {
  expect(['/srv/plans', 'C:\\plans', 'https://x/y.git#main', 'git@host:x.git'].map(isFolderSource)).toEqual([true, true, false, false]);
});

test('a name in use is refused and said; renamed, the name inside the file and the file name change together', async () => {
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
  await setValue(nameInput(), 'west-z6');
  expect(parse(planText()).name).toBe('west-z6');
  expect(button('Download west-z6.yaml')).not.toBeNull();
  await click(button('Save to folder')!);
  await waitFor('saved', () => page().querySelector('[data-testid="plan-saved"]') !== null);
  expect(mounted.callsTo('plans.save').map((c) => [c.fileName, parse(c.yaml).name])).toEqual([
    ['west.yaml', 'west'],
    ['west-z6.yaml', 'west-z6'],
  ]);
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

test('a name the plan schema refuses is said and nothing can be saved; a name YAML would read as a number stays text', async () => {
  mounted = await mount(<SaveAsPlanPanel origin={origin} onClose={() => {}} />, { 'plans.sources': () => ['/srv/plans'] });
  await waitFor('the folder choice', () => button('Save to folder') !== null);
  await setValue(nameInput(), 'west z6');
  expect(page().textContent).toMatch(/a name of letters, digits/);
  expect(button('Save to folder')?.disabled).toBe(true);
  expect(nameInput().getAttribute('aria-invalid')).toBe('true');
  await setValue(nameInput(), '2026');
  expect(parse(planText()).name).toBe('2026');
  expect(button('Save to folder')?.disabled).toBe(false);
  expect(button('Download 2026.yaml')).not.toBeNull();
});
