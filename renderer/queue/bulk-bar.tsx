/**
 * Bulk actions on the selected jobs, and what the engine answered: how many it took, and each id
 * it refused with its reason (a job that finished meanwhile cannot be cancelled, a succeeded one
 * cannot be retried).
 */
import type { BulkOutcome } from './job-actions.js';

interface BulkBarProps {
  selected: number;
  busy: boolean;
  onAction(action: 'cancel' | 'retry'): void;
  onClear(): void;
}

/** What is selected and what can be done to it; a hint while nothing is. */
export function BulkBar({ selected, busy, onAction, onClear }: BulkBarProps) {
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected jobs">
      {selected === 0 ? (
        <span className="muted small">Tick jobs to cancel or retry them together.</span>
      ) : (
        <>
          <strong data-testid="selected-count">{selected.toLocaleString('en')} selected</strong>
          <button type="button" onClick={() => onAction('cancel')} disabled={busy}>
            Cancel selected
          </button>
          <button type="button" onClick={() => onAction('retry')} disabled={busy}>
            Retry selected
          </button>
          <button type="button" className="link" onClick={onClear} disabled={busy}>
            Clear selection
          </button>
        </>
      )}
    </div>
  );
}

const DONE: Record<BulkOutcome['action'], string> = { cancel: 'cancelled', retry: 're-queued' };

/** The engine's answer to a bulk action: the count done, and every refused id with its error. */
export function BulkOutcomePanel({ outcome, onDismiss }: { outcome: BulkOutcome; onDismiss(): void }) {
  const { action, result } = outcome;
  const failed = result.failed.length;
  return (
    <div className={failed > 0 ? 'outcome outcome-bad' : 'outcome'} role={failed > 0 ? 'alert' : 'status'} data-testid="bulk-outcome">
      <div className="outcome-head">
        <span>
          {action === 'cancel' ? 'Cancel' : 'Retry'}: {result.ok.length.toLocaleString('en')} {DONE[action]}
          {failed > 0 && `, ${failed.toLocaleString('en')} refused`}.
        </span>
        <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss">
          Dismiss
        </button>
      </div>
      {failed > 0 && (
        <ul className="outcome-failures">
          {result.failed.slice(0, 50).map((f) => (
            <li key={f.id} data-testid={`bulk-failure-${f.id}`}>
              <a href={`#/jobs/${f.id}`}>#{f.id}</a> <code>{f.error.code}</code> {f.error.message}
            </li>
          ))}
          {failed > 50 && <li className="muted">and {(failed - 50).toLocaleString('en')} more</li>}
        </ul>
      )}
    </div>
  );
}
