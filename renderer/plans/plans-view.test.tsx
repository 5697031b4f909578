/**
 * The Plans screen over plans.sources, plans.check and plans.apply: each source's plans with their
 * sync state and reason, the bad files with line and field, a source typed in checked on request,
 * and "Reconcile now" applying and showing the job it started.
 */
import { afterEach, expect, test } from 'vitest';
import type { PlanReport } from '../../shared/contract.js';
import { type Mounted, click, mount, waitFor } from '../testing/mount.js';
import { PlansView, syncLabel } from './plans-view.js';

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});

function report(source: string, applied = false): PlanReport {
  return {
    source,
    plans: [
      {
        name: 'hillshade-z8',
        file: 'hill.yaml',
        kind: 'preseed-raster',
        state: applied ? 'synced' : 'changed',
        action: applied ? 'none' : 'start',
        changes: applied ? [] : ['params.maxZoom: 8 → 10'],
        schedule: '0 3 * * *',
        nextRun: '2026-12-08T03:00:00.000Z',
        lastJob: applied
          ? { id: 43, state: 'queued', createdAt: '2026-12-07T12:00:00.000Z' }
          : { id: 42, state: 'succeeded', createdAt: '2026-12-01T03:00:00.000Z' },
        ...(applied && { startedJobId: 43 }),
      },
      {
        name: 'old',
        file: 'old.yaml',
        kind: 'verify',
        state: 'removed',
        action: applied ? 'none' : 'forget',
        changes: ['left the source'],
        schedule: null,
        nextRun: null,
        lastJob: null,
      },
    ],
    errors: [{ file: 'more/broken.yml', line: 5, column: 12, field: 'params.minZoom', message: 'expected number' }],
  };
}

const rows = () => [...mounted!.container.querySelectorAll<HTMLElement>('[data-testid="plan-row"]')];

test('a watched source shows each plan with its sync state, reason, last job and next run, and its bad files', async () => {
  mounted = await mount(<PlansView />, { 'plans.sources': () => ['/srv/plans'], 'plans.check': ({ source }) => report(source as string) });
  await waitFor('the plan rows', () => rows().length === 2);
  const [hill, old] = rows();
  expect(hill!.textContent).toContain('hillshade-z8');
  expect(hill!.textContent).toContain('Out of sync · changed');
  expect(hill!.textContent).toContain('params.maxZoom: 8 → 10');
  expect(hill!.querySelector('a')?.getAttribute('href')).toBe('#/jobs/42');
  expect(old!.textContent).toContain('Removed');
  expect(old!.textContent).toContain('no schedule');
  const problems = mounted.container.querySelector('.plan-errors');
  expect(problems?.getAttribute('role')).toBe('alert');
  expect(problems?.textContent).toContain('more/broken.yml:5:12');
  expect(problems?.textContent).toContain('params.minZoom');
  expect(mounted.container.textContent).toContain('kept reconciled by the console');
  expect(mounted.container.querySelector('.plan-source-head button')?.textContent).toBe('Reconcile now (2)');
});

test('Reconcile now applies the source and shows the job it started; a typed source is checked on request', async () => {
  mounted = await mount(<PlansView />, {
    'plans.sources': () => [],
    'plans.check': ({ source }) => report(source as string),
    'plans.apply': ({ source }) => report(source as string, true),
  });
  await waitFor('the empty state', () => mounted!.container.textContent?.includes('No plan sources yet'));
  const input = mounted.container.querySelector<HTMLInputElement>('#plan-source')!;
  const { act } = await import('react');
  await act(async () => {
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    setter.call(input, 'https://git.example.org/plans.git#prod');
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await click(mounted.container.querySelector('.plans-add button')!);
  await waitFor('the typed source', () => rows().length === 2);
  expect(mounted.callsTo('plans.check').at(-1)).toEqual({ source: 'https://git.example.org/plans.git#prod' });
  expect(mounted.container.textContent).toContain('checked on request');
  await click(mounted.container.querySelector('.plan-source-head button')!);
  await waitFor('the applied state', () => rows()[0]!.textContent?.includes('Synced'));
  expect(rows()[0]!.textContent).toContain('started job #43');
  expect(mounted.container.querySelector('[data-testid="reconciled"]')?.textContent).toMatch(/^Reconciled at .+: started 1 job · 1 problem below$/);
  expect(mounted.callsTo('plans.apply')).toEqual([{ source: 'https://git.example.org/plans.git#prod' }]);
});

test('sync labels', () => {
  expect(syncLabel({ state: 'new' })).toEqual({ text: 'Out of sync · new', tone: 'warn' });
  expect(syncLabel({ state: 'synced' }).tone).toBe('ok');
});
