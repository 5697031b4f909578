/** In-page notes (finished jobs, refused actions), bottom right, each with a way to act or dismiss. */
import { useUi } from '../ui-store.js';
import { useToasts } from './notifications.js';

/**
 * How many notes show at once: a burst of finished jobs would otherwise stack up the window's right
 * side over the tables' action columns; the older ones wait behind an "n more" line.
 */
export const VISIBLE_TOASTS = 2;

/** The toast stack, from the toast store; a live region, so screen readers hear each note. */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  const navigate = useUi((s) => s.navigate);
  const hidden = toasts.slice(0, Math.max(0, toasts.length - VISIBLE_TOASTS));
  const shown = toasts.slice(hidden.length);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {hidden.length > 0 && (
        <div className="toast-more small" data-testid="toast-more">
          <span>
            {hidden.length} more {hidden.length === 1 ? 'note' : 'notes'}
          </span>
          <button type="button" className="link" onClick={() => hidden.forEach((t) => dismiss(t.id))}>
            Dismiss older
          </button>
        </div>
      )}
      {shown.map((t) => (
        <div key={t.id} className={`toast tone-${t.tone}`} data-testid="toast">
          <div className="toast-text">
            <strong>{t.title}</strong>
            {t.body && (
              <span className="small body" title={t.body}>
                {t.body}
              </span>
            )}
          </div>
          <div className="toast-actions">
            {t.jobId !== undefined && (
              <button
                type="button"
                className="link"
                onClick={() => {
                  navigate({ name: 'job', jobId: t.jobId! });
                  dismiss(t.id);
                }}
              >
                Open
              </button>
            )}
            <button type="button" className="link" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
