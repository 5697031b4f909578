/**
 * The CRS picker over the contract's crs.search (an in-memory engine that answers late when told):
 * it waits for a pause in typing, never shows the answer to text that has since changed, and is
 * driven from the keyboard (↓ ↑ Enter Escape) with the combobox's ARIA state kept true.
 */
import { act, useState } from 'react';
import { afterEach, expect, test } from 'vitest';
import type { CrsMatch, RequestParsed } from '../../shared/contract.js';
import { type Mounted, mount, setValue, waitFor } from '../testing/mount.js';
import { CRS_SEARCH_DEBOUNCE_MS, CrsPicker } from './crs-picker.js';

const WGS84: CrsMatch = { code: 'EPSG:4326', name: 'WGS 84', area: 'World', kind: 'geographic' };
const MERCATOR: CrsMatch = { code: 'EPSG:3857', name: 'WGS 84 / Pseudo-Mercator', area: 'World - 85°S to 85°N', kind: 'projected' };
const OSGB: CrsMatch = { code: 'EPSG:27700', name: 'OSGB36 / British National Grid', area: null, kind: 'projected' };

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});

/** A picker with its picked value shown, as a dialog holds it. */
function Harness({ onPick }: { onPick: (m: CrsMatch | null) => void }) {
  const [value, setValue] = useState<CrsMatch | null>(null);
  return (
    <CrsPicker
      label="Coordinate reference system"
      value={value}
      onPick={(m) => {
        setValue(m);
        onPick(m);
      }}
    />
  );
}

const input = () => mounted!.container.querySelector<HTMLInputElement>('input[role="combobox"]')!;
const options = () => [...mounted!.container.querySelectorAll<HTMLElement>('[role="option"]')];
const codes = () => options().map((o) => o.dataset.code);
const sleep = (ms: number) => act(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));
async function key(name: string) {
  await act(async () => {
    input().dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true }));
  });
}

test('an answer to older text never replaces the answer to the text as it stands', async () => {
  const late: (() => void)[] = [];
  mounted = await mount(<Harness onPick={() => {}} />, {
    'crs.search': (i: RequestParsed<'crs.search'>) =>
      i.query === 'wgs'
        ? // The engine is slow with the first text: its answer lands after the second one's.
          new Promise<CrsMatch[]>((resolve) => late.push(() => resolve([MERCATOR, WGS84])))
        : [OSGB],
  });
  await setValue(input(), 'wgs');
  await waitFor('the first search to be sent', () => late.length === 1);
  await setValue(input(), 'british');
  await waitFor('the answer to "british"', () => codes().join() === 'EPSG:27700');
  await act(async () => late[0]!());
  await sleep(50);
  expect(codes()).toEqual(['EPSG:27700']);
  expect(mounted.callsTo('crs.search').map((c) => c.query)).toEqual(['wgs', 'british']);
});

test('typing is searched once it pauses, not once a key', async () => {
  mounted = await mount(<Harness onPick={() => {}} />, { 'crs.search': () => [WGS84] });
  for (const text of ['4', '43', '432', '4326']) await setValue(input(), text);
  await sleep(CRS_SEARCH_DEBOUNCE_MS + 100);
  await waitFor('the matches', () => codes().length === 1);
  expect(mounted.callsTo('crs.search')).toEqual([{ query: '4326', limit: 12 }]);
  expect(mounted.container.textContent).toContain('1 match; ↓ ↑ to choose, Enter to pick');
});

test('↓ ↑ move through the matches, Enter picks, Escape closes; the ARIA state follows', async () => {
  const picked: (CrsMatch | null)[] = [];
  mounted = await mount(<Harness onPick={(m) => picked.push(m)} />, { 'crs.search': () => [WGS84, MERCATOR, OSGB] });
  await setValue(input(), 'w');
  await waitFor('three matches', () => options().length === 3);
  expect(input().getAttribute('aria-expanded')).toBe('true');
  const active = () => input().getAttribute('aria-activedescendant');
  expect(active()).toBe(options()[0]!.id);
  await key('ArrowDown');
  await key('ArrowDown');
  expect(active()).toBe(options()[2]!.id);
  expect(options()[2]!.getAttribute('aria-selected')).toBe('true');
  await key('ArrowDown'); // wraps to the first
  await key('ArrowUp'); // and back to the last
  expect(active()).toBe(options()[2]!.id);
  await key('Enter');
  expect(picked).toEqual([OSGB]);
  expect(mounted.container.querySelector('[data-testid="crs-picked"]')?.textContent).toContain('Picked: EPSG:27700 OSGB36 / British National Grid');
  expect(input().value).toBe('');
  expect(input().getAttribute('aria-expanded')).toBe('false');

  await setValue(input(), 'w');
  await waitFor('the matches again', () => options().length === 3 && input().getAttribute('aria-expanded') === 'true');
  await key('Escape');
  expect(input().getAttribute('aria-expanded')).toBe('false');
  expect(mounted.container.querySelector('[role="listbox"]')?.hasAttribute('hidden')).toBe(true);
});

test('no match and a failed search say so', async () => {
  mounted = await mount(<Harness onPick={() => {}} />, {
    'crs.search': (i) => {
      if (i.query === 'boom') throw new Error('proj.db is missing');
      return [];
    },
  });
  await setValue(input(), 'nowhere');
  await waitFor('no match', () => mounted!.container.textContent?.includes('No coordinate system matches “nowhere”'));
  await setValue(input(), 'boom');
  await waitFor('the failure', () => mounted!.container.textContent?.includes('The search failed: proj.db is missing'));
});
