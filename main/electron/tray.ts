/**
 * The tray (notification area, menu bar extra): what the queue is doing at a glance, and the app
 * within reach when its window is closed on macOS or hidden behind others (issue 18). The menu is
 * built here from the queue's state, pure, for main.ts to hand to Electron's Tray.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { QueueState } from '../../shared/contract.js';

export interface TrayActions {
  show(): void;
  pause(): void;
  resume(): void;
  quit(): void;
}

/** One line for the tooltip and the menu's first row: "2 running, 5 queued (paused)". */
export function queueLine(queue: QueueState): string {
  if (queue.running === 0 && queue.queued === 0) return queue.paused ? 'No jobs (queue paused)' : 'No jobs running';
  const parts = [`${queue.running} running`, ...(queue.queued ? [`${queue.queued} queued`] : [])];
  return `${parts.join(', ')}${queue.paused ? ' (queue paused)' : ''}`;
}

export function trayTooltip(queue: QueueState): string {
  return `Tessera: ${queueLine(queue)}`;
}

export function buildTrayMenu(queue: QueueState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: queueLine(queue), enabled: false },
    { type: 'separator' },
    { label: 'Show Tessera', click: actions.show },
    queue.paused ? { label: 'Resume queue', click: actions.resume } : { label: 'Pause queue', click: actions.pause },
    { type: 'separator' },
    { label: 'Quit Tessera', click: actions.quit },
  ];
}
