import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTrayMenu, queueLine, trayTooltip } from './tray.js';

test('the tray says what the queue does, and offers show, pause or resume, and quit', () => {
  assert.equal(queueLine({ paused: false, queued: 0, running: 0, maxRunning: 2 }), 'No jobs running');
  assert.equal(queueLine({ paused: false, queued: 5, running: 2, maxRunning: 2 }), '2 running, 5 queued');
  assert.equal(trayTooltip({ paused: true, queued: 1, running: 0, maxRunning: 2 }), 'Tessera: 0 running, 1 queued (queue paused)');
  const calls: string[] = [];
  const actions = { show: () => calls.push('show'), pause: () => calls.push('pause'), resume: () => calls.push('resume'), quit: () => calls.push('quit') };
  const running = buildTrayMenu({ paused: false, queued: 0, running: 1, maxRunning: 2 }, actions);
  assert.deepEqual(
    running.map((i) => i.label ?? i.type),
    ['1 running', 'separator', 'Show Tessera', 'Pause queue', 'separator', 'Quit Tessera'],
  );
  assert.equal(running[0]!.enabled, false, 'the status line is not a button');
  const paused = buildTrayMenu({ paused: true, queued: 3, running: 0, maxRunning: 2 }, actions);
  for (const item of paused) (item.click as (() => void) | undefined)?.();
  assert.deepEqual(calls, ['show', 'resume', 'quit']);
});
