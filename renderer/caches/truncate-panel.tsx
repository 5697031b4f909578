/**
 * The truncate form under a cache's row: a zoom range and an optional box; "Count tiles" is the
 * job's dry run (jobs.estimate, counted from the cache), "Delete tiles" starts the truncate job,
 * which shows in the queue with its progress and can be cancelled there between batches.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { CacheEntry, JobStartInput } from '../../shared/contract.js';
import { serverFieldErrors } from '../forms/field-errors.js';
import { countText, type TruncateForm, truncateInput } from './cache-format.js';

export function TruncatePanel({ cache: c, onClose, onStarted }: { cache: CacheEntry; onClose: () => void; onStarted: (jobId: number) => void }) {
  const levels = c.zooms.map((z) => z.z);
  const [form, setForm] = useState<TruncateForm>({
    minZoom: String(levels[levels.length - 1] ?? 0),
    maxZoom: String(levels[levels.length - 1] ?? 0),
    bbox: '',
  });
  const built = truncateInput(c.path, form);
  const estimate = useMutation({ mutationFn: (input: JobStartInput) => window.tessera.jobs.estimate(input) });
  const start = useMutation({ mutationFn: (input: JobStartInput) => window.tessera.jobs.start(input), onSuccess: (job) => onStarted(job.id) });
  const set = (field: keyof TruncateForm) => (value: string) => {
    setForm({ ...form, [field]: value });
    estimate.reset();
  };
  const zoomSelect = (field: 'minZoom' | 'maxZoom', label: string) => (
    <label>
      {label}{' '}
      <select value={form[field]} onChange={(e) => set(field)(e.currentTarget.value)}>
        {levels.map((z) => (
          <option key={z} value={String(z)}>
            z{z}
          </option>
        ))}
      </select>
    </label>
  );
  const problem = 'problem' in built ? built.problem : null;
  const error = estimate.error ?? start.error;
  return (
    <form
      className="truncate-panel"
      aria-label={`Truncate ${c.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        if ('input' in built) start.mutate(built.input);
      }}
    >
      <div className="truncate-fields">
        {zoomSelect('minZoom', 'From')}
        {zoomSelect('maxZoom', 'to')}
        <label className="bbox">
          only in box{' '}
          <input
            type="text"
            placeholder="W,S,E,N (optional), e.g. -10,40,5,50"
            aria-label="Only tiles touching this box: west, south, east, north in degrees"
            value={form.bbox}
            onChange={(e) => set('bbox')(e.currentTarget.value)}
          />
        </label>
      </div>
      <div className="truncate-actions">
        <button type="button" disabled={problem !== null || estimate.isPending} onClick={() => 'input' in built && estimate.mutate(built.input)}>
          {estimate.isPending ? 'Counting…' : 'Count tiles'}
        </button>
        <button type="submit" className="danger" disabled={problem !== null || start.isPending}>
          {estimate.data ? `Delete ${countText(estimate.data.totalTiles)} tiles` : 'Delete tiles'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
        {estimate.data && (
          <span className="small" data-testid="truncate-count">
            {countText(estimate.data.totalTiles)} of {countText(c.tileCount)} tiles would be deleted
            {estimate.data.zooms.length > 0 && ` (${estimate.data.zooms.map((z) => `z${z.z} ${countText(z.tiles)}`).join(', ')})`}
          </span>
        )}
      </div>
      {problem && <p className="small muted">{problem}</p>}
      {error && (
        <p className="error small" role="alert">
          {refusal(error)}
        </p>
      )}
    </form>
  );
}

/** The engine's refusal in the form's words: its field issues (the box, a zoom), not "jobs.estimate: params.bbox.0: …". */
function refusal(error: Error): string {
  const fields = serverFieldErrors(error);
  if (!fields) return error.message.replace(/^jobs\.(estimate|start): /, '');
  const names: Record<string, string> = { 'params.bbox': 'The box', 'params.minZoom': 'From zoom', 'params.maxZoom': 'To zoom', 'params.cache': 'The cache' };
  return Object.entries(fields)
    .map(([field, message]) => `${Object.entries(names).find(([f]) => field === f || field.startsWith(`${f}.`))?.[1] ?? field}: ${message}`)
    .join('; ');
}
