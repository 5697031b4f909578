/**
 * The left rail: the nine screens (the job detail opens from the queue and shows under it), what
 * the queue is doing at a glance, the host, and desktop notifications. It folds to one letter per
 * screen (remembered in ui-store), so a 1024 px window gives its width to the tables.
 */
import { useAppInfo } from '../data/app-info.js';
import { useState } from 'react';
import type { QueueState } from '../../shared/contract.js';
import { type Screen, useUi } from '../ui-store.js';
import { hashForScreen } from './routes.js';

// `short` stands for the screen in the folded rail: the shortcut's letter, so Map and Migrate differ.
const ITEMS: readonly { screen: Screen; label: string; keys: string; short: string }[] = [
  { screen: { name: 'queue' }, label: 'Queue', keys: 'g q', short: 'Q' },
  { screen: { name: 'preseed' }, label: 'Preseed', keys: 'g p', short: 'P' },
  { screen: { name: 'catalog' }, label: 'Catalogue', keys: 'g c', short: 'C' },
  { screen: { name: 'migrate' }, label: 'Migrate', keys: 'g e', short: 'E' },
  { screen: { name: 'map' }, label: 'Map', keys: 'g m', short: 'M' },
  { screen: { name: 'caches' }, label: 'Caches', keys: 'g k', short: 'K' },
  { screen: { name: 'storage' }, label: 'Storage', keys: 'g s', short: 'S' },
  { screen: { name: 'workers' }, label: 'Workers', keys: 'g w', short: 'W' },
  { screen: { name: 'plans' }, label: 'Plans', keys: 'g l', short: 'L' },
  { screen: { name: 'settings' }, label: 'Settings', keys: 'g ,', short: '⚙' },
];

/** The screen links (real hash links, so they open in new tabs too), with the queue's count. */
export function Nav({ queue }: { queue: QueueState | undefined }) {
  const screen = useUi((s) => s.screen);
  const info = useAppInfo();
  const collapsed = useUi((s) => s.railCollapsed);
  const setCollapsed = useUi((s) => s.setRailCollapsed);
  const current = screen.name === 'job' ? 'queue' : screen.name;
  return (
    <nav className={collapsed ? 'rail collapsed' : 'rail'} aria-label="Screens">
      <button
        type="button"
        className="rail-toggle"
        aria-expanded={!collapsed}
        aria-label={collapsed ? 'Expand the rail' : 'Collapse the rail'}
        title={collapsed ? 'Expand the rail' : 'Collapse the rail'}
        onClick={() => setCollapsed(!collapsed)}
      >
        {collapsed ? '»' : '«'}
      </button>
      <ul>
        {ITEMS.map((item) => (
          <li key={item.label}>
            <a href={hashForScreen(item.screen)} aria-current={current === item.screen.name ? 'page' : undefined} title={`${item.label} (${item.keys})`}>
              {/* Drawn by CSS from data-short when folded: the link's text stays the screen's name. */}
              <span className="rail-letter" aria-hidden="true" data-short={item.short} />
              <span className="rail-label">{item.label}</span>
              {item.screen.name === 'queue' && queue && (queue.running > 0 || queue.queued > 0) && (
                <span className="count" title={`${queue.running} running, ${queue.queued} queued`}>
                  {queue.running + queue.queued}
                </span>
              )}
              <kbd>{item.keys}</kbd>
            </a>
            {item.screen.name === 'queue' && screen.name === 'job' && (
              <a className="sub" href={hashForScreen(screen)} aria-current="page">
                <span className="rail-label">Job </span>#{screen.jobId}
              </a>
            )}
          </li>
        ))}
      </ul>
      <div className="rail-foot small muted" hidden={collapsed}>
        <NotificationSwitch />
        {info.data && (
          <p title={info.data.dataDir}>
            {info.data.host} · v{info.data.version}
            <br />
            <span className="path">{info.data.dataDir}</span>
          </p>
        )}
      </div>
    </nav>
  );
}

/** Asks for desktop notifications (only on a click: browsers refuse to ask otherwise). */
function NotificationSwitch() {
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  if (!supported) return null;
  if (permission === 'granted') return <p>Desktop notifications on</p>;
  if (permission === 'denied') return <p title="Finished jobs show as notes in the page">Notifications in the page</p>;
  return (
    <p>
      <button type="button" className="link" onClick={() => void Notification.requestPermission().then(setPermission)}>
        Notify me on the desktop
      </button>
    </p>
  );
}
