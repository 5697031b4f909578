/** In-page notes (finished jobs, refused actions), bottom right, each with a way to act or dismiss. */
import { useUi } from '../ui-store.js';
import { useToasts } from './notifications.js';

/** The toast stack, from the toast store; a live region, so screen readers hear each note. */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  const navigate = useUi((s) => s.navigate);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
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
