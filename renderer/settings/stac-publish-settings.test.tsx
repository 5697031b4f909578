/** Settings › STAC publish: shows the target, sets it with a token (never shown back), keeps it without one, stops, and says a refused URL at its field. */
import { afterEach, expect, test } from 'vitest';
import type { StacPublishTarget } from '../../shared/contract.js';
import { type Mounted, byText, click, mount, setValue, waitFor } from '../testing/mount.js';
import { StacPublishSettings } from './stac-publish-settings.js';

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});
const page = () => mounted!.container;
const button = (name: string | RegExp) => byText<HTMLButtonElement>(page(), 'button', name);
const inputs = () => [...page().querySelectorAll<HTMLInputElement>('input')];

test('sets, keeps and stops the publish target; a refused URL is said at its field', async () => {
  let target: StacPublishTarget | null = null;
  mounted = await mount(<StacPublishSettings />, {
    'stac.publishTarget': () => target,
    'stac.setPublishTarget': (input) => {
      target = input.url === null ? null : { url: input.url, hasToken: input.token !== undefined || (target?.hasToken ?? false) };
      return target;
    },
  });
  await waitFor('the form', () => page().textContent?.includes('Now: off.') ?? false);
  expect(button('Stop publishing')?.disabled).toBe(true);

  await setValue(inputs()[0]!, 'https://user:pw@stac.example.org/');
  await click(button('Publish there')!);
  await waitFor('the refusal', () => page().querySelector('.field-error')?.textContent === 'url must not hold credentials: give a token instead');

  await setValue(inputs()[0]!, 'https://stac.example.org/');
  await setValue(inputs()[1]!, 's3cret');
  await click(button('Publish there')!);
  await waitFor('saved', () => page().textContent?.includes('Now: https://stac.example.org/ (with a token).') ?? false);
  expect(inputs()[1]!.value).toBe('');
  expect(inputs()[1]!.placeholder).toBe('stored');

  await click(button('Publish there')!);
  // Saved again without a token: none is sent, and the engine keeps the stored one. (The refused
  // URL never reached the engine: the contract's schema refused it in the transport.)
  await waitFor('saved again', () => mounted!.callsTo('stac.setPublishTarget').length === 2);
  expect(mounted.callsTo('stac.setPublishTarget')).toEqual([{ url: 'https://stac.example.org/', token: 's3cret' }, { url: 'https://stac.example.org/' }]);

  await click(button('Stop publishing')!);
  await waitFor('off', () => page().textContent?.includes('Now: off.') ?? false);
  expect(mounted.callsTo('stac.setPublishTarget').at(-1)).toEqual({ url: null });
});

test('after Publish there, the publish’s own result shows (asked for each second until it reports), not only the saved target', async () => {
  let target: StacPublishTarget | null = null;
  // The engine's publish reports to the stac-publish health check once it ends: here, on the third ask after the save.
  let asksSinceSave = -1;
  const before = { name: 'stac-publish', state: 'disabled' as const, message: 'no publish target', checkedAt: '2026-12-07T10:00:00.000Z' };
  mounted = await mount(<StacPublishSettings />, {
    'stac.publishTarget': () => target,
    'stac.setPublishTarget': (input) => {
      target = input.url === null ? null : { url: input.url, hasToken: true };
      asksSinceSave = 0;
      return target;
    },
    'app.health': () => {
      if (asksSinceSave < 0 || asksSinceSave++ < 2) return [before];
      return [{ name: 'stac-publish', state: 'failed', message: 'publish to stac.example.org failed: 401 Unauthorized', checkedAt: new Date().toISOString() }];
    },
  });
  await waitFor('the form', () => page().textContent?.includes('Now: off.') ?? false);
  expect(page().querySelector('[data-testid="stac-publish-result"]')).toBeNull();
  await setValue(inputs()[0]!, 'https://stac.example.org/');
  await setValue(inputs()[1]!, 'wrong');
  await click(button('Publish there')!);
  await waitFor('publishing', () => page().querySelector('[data-testid="stac-publish-result"]')?.textContent === 'Publishing…');
  const result = await waitFor(
    'the failed publish',
    () => {
      const p = page().querySelector('[data-testid="stac-publish-result"]');
      return p?.textContent?.includes('401') ? p : null;
    },
    { timeoutMs: 6_000 },
  );
  expect(result.className).toBe('error');
  expect(result.textContent).toMatch(/^Last publish \(.+\): failed: publish to stac\.example\.org failed: 401 Unauthorized$/);
});
