/**
 * The console's header: the name, the engine's health (one pill per start-up service), pause and
 * resume of the queue, the theme, and the shortcut list.
 */
import { useQuery } from '@tanstack/react-query';
import { queryKey } from '../data/query-keys.js';
import { type Theme, useUi } from '../ui-store.js';
import { THEMES } from './theme.js';
import { formatTimeOfDay } from '../dates.js';

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
  if (health.isPending) return <span className="muted small">checking health…</span>;
  if (health.error) {
    return (
      <span className="pill health-failed" title={health.error.message}>
        health: unknown
      </span>
    );
  }
  return (
    <div className="health" role="status" aria-label="Engine health">
      {health.data.map((h) => (
        <span key={h.name} className={`pill health-${h.state}`} title={`${h.message} (checked ${formatTimeOfDay(h.checkedAt)})`}>
          {h.name}: {h.state}
        </span>
      ))}
    </div>
  );
}
