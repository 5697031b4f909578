import { act } from 'react';
import { afterEach, expect, test } from 'vitest';
import { type Mounted, byText, click, mount } from '../testing/mount.js';
import { useToasts } from './notifications.js';
import { Toasts, VISIBLE_TOASTS } from './toasts.js';

let m: Mounted | null = null;
afterEach(async () => {
  await m?.unmount();
  m = null;
  useToasts.setState({ toasts: [] });
});

test('a burst of notes shows the newest two and an "n more" line that dismisses the older ones', async () => {
  m = await mount(<Toasts />, {});
  await act(async () => {
    for (let id = 1; id <= 5; id++) useToasts.getState().push({ title: `Job #${id} succeeded`, body: `verify cache-${id}.mbtiles`, tone: 'ok', jobId: id });
  });
  const titles = () => [...m!.container.querySelectorAll('[data-testid="toast"] strong')].map((t) => t.textContent);
  expect(VISIBLE_TOASTS).toBe(2);
  expect(titles()).toEqual(['Job #4 succeeded', 'Job #5 succeeded']);
  const more = m.container.querySelector('[data-testid="toast-more"]')!;
  // The store keeps the newest MAX_TOASTS (3): one waits behind the line.
  expect(more.textContent).toContain('1 more note');
  await click(byText(more, 'button', 'Dismiss older')!);
  expect(useToasts.getState().toasts.map((t) => t.jobId)).toEqual([4, 5]);
  expect(m.container.querySelector('[data-testid="toast-more"]')).toBeNull();
  expect(titles()).toEqual(['Job #4 succeeded', 'Job #5 succeeded']);
});
