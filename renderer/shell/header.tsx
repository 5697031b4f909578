/**
 * The console's header: the name, the engine's health (one pill per start-up service), pause and
 * resume of the queue, the theme, and the shortcut list.
 */
import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { queryKey } from '../data/query-keys.js';
import { type Theme, useUi } from '../ui-store.js';
import { THEMES } from './theme.js';
import type { HealthCheck } from '../../shared/contract.js';
import { formatTimeOfDay } from '../dates.js';
import { engineDown, healthPills, summaryText, summaryTone, useEngineStatus } from './engine-status.js';

/** Health is polled: a disk filling up or a failing service shows without a reload. */
const HEALTH_POLL_MS = 30_000;

interface HeaderProps {
  queue: { paused: boolean } | undefined;
  queuePending: boolean;
  onToggleQueue(): void;
}

/** The header bar; the queue state comes from the shell, which also serves the `p` shortcut. */
export function Header({ queue, queuePending, onToggleQueue }: HeaderProps) {
  const theme = useUi((s) => s.theme);
  const setTheme = useUi((s) => s.setTheme);
  const setShortcutsOpen = useUi((s) => s.setShortcutsOpen);
  return (
    <header className="topbar">
      <h1>Tessera</h1>
      <div className="spacer" />
      <HealthPills />
      {queue && (
        <button
          type="button"
          className={queue.paused ? 'queue-toggle paused' : 'queue-toggle'}
          onClick={onToggleQueue}
          disabled={queuePending}
          data-testid="toggle-queue"
          title="Pause or resume the queue (p)"
        >
          {queue.paused ? 'Resume queue' : 'Pause queue'}
        </button>
      )}
      <label className="theme-picker">
        <span className="visually-hidden">Theme</span>
        <select aria-label="Theme" value={theme} onChange={(e) => setTheme(e.currentTarget.value as Theme)}>
          {THEMES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label} theme
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="icon" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={() => setShortcutsOpen(true)}>
        ?
      </button>
    </header>
  );
}

function HealthPills() {
  const health = useQuery({ queryKey: queryKey('app.health'), queryFn: () => window.tessera.app.health({}), refetchInterval: HEALTH_POLL_MS });
  const engine = useEngineStatus((s) => s.engine);
  // The last answer with the engine's own checks in it: kept (stale) while the engine process is down.
  const lastFull = useRef<HealthCheck[] | undefined>(undefined);
  if (health.data && !engineDown(engine)) lastFull.current = health.data;
  if (health.isPending) return <span className="muted small">checking health…</span>;
  if (health.error) {
    return (
      <span className="pill health-failed" title={health.error.message}>
        health: unknown
      </span>
    );
  }
  const pills = healthPills(health.data, lastFull.current, engine);
  const list = pills.map((h) => (
    <span key={h.name} className={`pill health-${h.tone}`} title={`${h.title} (checked ${formatTimeOfDay(h.checkedAt)})`}>
      {h.label}
    </span>
  ));
  // Narrow windows show one summary pill with the list in a popover (shell.css picks which shows), so
  // the header stays one row however many checks there are.
  return (
    <div className="health" role="status" aria-label="Engine health">
      <div className="health-list">{list}</div>
      <details className="health-summary">
        <summary className={`pill health-${summaryTone(pills)}`} data-testid="health-summary">
          {summaryText(pills)}
        </summary>
        <div className="health-popover">{list}</div>
      </details>
    </div>
  );
}
