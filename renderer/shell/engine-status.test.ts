import { expect, test } from 'vitest';
import type { EngineState, HealthCheck } from '../../shared/contract.js';
import { healthPills, noteEngineStopped, summaryText, summaryTone, useEngineStatus } from './engine-status.js';

const at = '2026-12-07T19:00:00.000Z';
const check = (name: string, state: HealthCheck['state'], message = `${name} is ${state}`): HealthCheck => ({ name, state, message, checkedAt: at });
const before = [check('gdal', 'ok'), check('disk', 'ok'), check('plans', 'failed')];
const restarting: EngineState = {
  state: 'restarting',
  message: 'the engine process exited (signal SIGKILL); restarting in 0.5 s (attempt 1 of 4)',
  restarts: 0,
};

test('while the engine restarts, its pill says so in amber and the earlier pills stay, marked stale', () => {
  const pills = healthPills([check('engine', 'failed', 'restarting: killed')], before, restarting);
  expect(pills.map((p) => [p.label, p.tone])).toEqual([
    ['engine: restarting', 'restarting'],
    ['gdal: ok', 'stale'],
    ['disk: ok', 'stale'],
    ['plans: failed', 'stale'],
  ]);
  expect(pills[0]!.title).toBe(restarting.message);
  expect(summaryText(pills)).toBe('engine: restarting');
  expect(summaryTone(pills)).toBe('restarting');
});

test('once the engine runs again only the current checks show, as they are', () => {
  const running: EngineState = { state: 'running', message: 'running again', restarts: 1 };
  const pills = healthPills([check('engine', 'ok'), ...before], before, running);
  expect(pills.map((p) => p.label)).toEqual(['engine: ok', 'gdal: ok', 'disk: ok', 'plans: failed']);
  expect(pills.every((p) => p.tone !== 'stale')).toBe(true);
  expect(summaryText(pills)).toBe('4 checks · 1 failing');
  expect(summaryTone(pills)).toBe('failed');
});

test('after Tessera gave up restarting, the engine pill says stopped in red', () => {
  const stopped: EngineState = { state: 'stopped', message: 'it crashed 5 times in a row', restarts: 4 };
  const pills = healthPills([check('engine', 'failed')], undefined, stopped);
  expect(pills).toEqual([{ name: 'engine', label: 'engine: stopped', tone: 'failed', title: stopped.message, checkedAt: at }]);
});

test('the summary of healthy checks counts them', () => {
  expect(summaryText(healthPills([check('gdal', 'ok'), check('disk', 'ok')], undefined, null))).toBe('2 checks ok');
});

test('an ENGINE_STOPPED answer marks the engine stopped for a console that missed the event', () => {
  useEngineStatus.setState({ engine: null });
  noteEngineStopped(Object.assign(new Error('jobs.list: not found'), { code: 'NOT_FOUND' }));
  expect(useEngineStatus.getState().engine).toBeNull();
  noteEngineStopped(Object.assign(new Error('queue.get: the engine is not running'), { code: 'ENGINE_STOPPED' }));
  expect(useEngineStatus.getState().engine).toEqual({ state: 'stopped', message: 'queue.get: the engine is not running', restarts: 0 });
});
