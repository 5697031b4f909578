/**
 * The Caches screen (`#/caches`): every tile cache a preseed wrote or a verify or truncate read,
 * and those added by hand, as caches.list reads them from disk (format, tile type, zooms, tiles
 * counted, size, bounds, last job); and what can be done with each: open it on the map, verify it,
 * preseed more (the form filled in from the job that made it), truncate a zoom range or a box (a
 * job with its own dry run), take it off the list, or delete it from disk (confirmed first).
 */
import { PathText } from '../shell/path-text.js';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { type CacheEntry, FINISHED_JOB_STATES, type JobKind } from '../../shared/contract.js';
import { openPrefilledForm } from '../job-detail/run-again.js';
import { LoadError } from '../shell/load-error.js';
import { formatBytes } from '../storage/bytes.js';
import { useUi } from '../ui-store.js';
import { boundsText, cachesKey, countText, formatText, zoomText } from './cache-format.js';
import { TruncatePanel } from './truncate-panel.js';
import { formatWhen } from '../dates.js';
import '../controls.css';
import './caches-view.css';

/** Kinds whose jobs change what the list shows when they end. */
const CACHE_KINDS: readonly JobKind[] = ['preseed-raster', 'preseed-vector', 'verify', 'truncate'];

/** The caches screen for `#/caches`. */
export function CachesView() {
  const queryClient = useQueryClient();
  const caches = useQuery({ queryKey: cachesKey, queryFn: () => window.tessera.caches.list({}) });
  useEffect(
    () =>
      window.tessera.on('job.changed', (job) => {
        if (CACHE_KINDS.includes(job.kind) && FINISHED_JOB_STATES.includes(job.state)) void queryClient.invalidateQueries({ queryKey: cachesKey });
      }),
    [queryClient],
  );
  const rows = caches.data ?? [];
  const total = rows.reduce((n, c) => n + (c.sizeBytes ?? 0), 0);
  return (
    <section className="caches-view" aria-labelledby="caches-title">
      <div className="view-head">
        <h2 id="caches-title">Caches</h2>
        {caches.data && (
          <span className="muted small" data-testid="caches-total">
            {rows.length} {rows.length === 1 ? 'cache' : 'caches'}, {formatBytes(total)} on disk
          </span>
        )}
      </div>
      <AddCache />
      {caches.isPending && <p className="muted">Reading the caches…</p>}
      {caches.error && <LoadError what="read the caches" error={caches.error} retry={() => void caches.refetch()} />}
      {caches.data && rows.length === 0 && (
        <div className="empty">
          <p>No tile caches yet.</p>
          <p className="muted small">
            A preseed, verify or truncate job lists its cache here, or add one above. From a terminal: <code>tessera caches list</code>.
          </p>
        </div>
      )}
      {rows.length > 0 && (
        <div className="caches-scroll">
          <table className="caches-table">
            {/* Fixed widths for the short columns; the name and the tiles share the rest and wrap,
                so the table fits from a 1024-px window up and the actions never leave it. */}
            <colgroup>
              <col />
              <col className="col-tiles" />
              <col className="col-size" />
              <col className="col-job" />
              <col className="col-actions" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Cache</th>
                <th scope="col">Tiles · bounds</th>
                <th scope="col" className="numbers">
                  Size
                </th>
                <th scope="col">Last job</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            {rows.map((c) => (
              <CacheRows key={c.path} cache={c} />
            ))}
          </table>
        </div>
      )}
    </section>
  );
}

/** "Add a cache": a path on the engine's machine, checked by the engine (it must be a readable cache). */
function AddCache() {
  const queryClient = useQueryClient();
  const [path, setPath] = useState('');
  const add = useMutation({
    mutationFn: () => window.tessera.caches.add({ path: path.trim() }),
    onSuccess: () => {
      setPath('');
      void queryClient.invalidateQueries({ queryKey: cachesKey });
    },
  });
  return (
    <form
      className="add-cache"
      onSubmit={(e) => {
        e.preventDefault();
        if (path.trim() !== '') add.mutate();
      }}
    >
      <input
        type="text"
        aria-label="Path of a cache to add"
        placeholder="/data/tiles/world.mbtiles, .pmtiles or a z/x/y folder"
        value={path}
        onChange={(e) => setPath(e.currentTarget.value)}
      />
      <button type="submit" disabled={add.isPending || path.trim() === ''}>
        {add.isPending ? 'Adding…' : 'Add cache'}
      </button>
      {add.error && (
        <p className="error small" role="alert">
          Not added: {add.error.message.replace(/^path: /, '')}
        </p>
      )}
    </form>
  );
}

/** One cache: its row, and under it the truncate form when open. A tbody per cache keeps the two together. */
function CacheRows({ cache: c }: { cache: CacheEntry }) {
  const queryClient = useQueryClient();
  const navigate = useUi((s) => s.navigate);
  const [truncating, setTruncating] = useState(false);
  // The truncate job started from this row: the form closes (the cache is about to change under it) and the row links to it.
  const [truncateJob, setTruncateJob] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: cachesKey });
  const verify = useMutation({
    mutationFn: () => window.tessera.jobs.start({ kind: 'verify', params: { cache: c.path } }),
    onSuccess: (job) => navigate({ name: 'job', jobId: job.id }),
  });
  const preseedMore = useMutation({
    mutationFn: () => window.tessera.jobs.get({ id: c.preseedJobId! }),
    onSuccess: (job) => openPrefilledForm(job),
  });
  const remove = useMutation({ mutationFn: () => window.tessera.caches.remove({ path: c.path }), onSuccess: refresh });
  const destroy = useMutation({ mutationFn: () => window.tessera.caches.delete({ path: c.path }), onSuccess: refresh });
  const failed = verify.error ?? preseedMore.error ?? remove.error ?? destroy.error;
  const readable = c.kind !== null;
  return (
    <tbody data-testid="cache" data-path={c.path}>
      <tr>
        <td className="cache">
          <div className="cache-name">
            <strong>{c.name}</strong> {c.origin !== 'job' && <span className="pill">added</span>}
          </div>
          <div className="small muted path">
            <PathText path={c.path} />
          </div>
          {c.problem && <div className="small error">{c.problem}</div>}
          {truncateJob !== null && c.lastJob?.id !== truncateJob && (
            <div className="small" data-testid="truncate-started">
              Truncating: <a href={`#/jobs/${truncateJob}`}>job #{truncateJob}</a>
            </div>
          )}
        </td>
        <td className="tiles">
          <div>{formatText(c)}</div>
          <div>
            <span data-testid="zooms">{zoomText(c)}</span> · <span data-testid="tile-count">{countText(c.tileCount)}</span> tiles
          </div>
          {c.zooms.length > 1 && (
            <div className="small muted per-zoom" title="Tiles per zoom level">
              {c.zooms.map((z) => `z${z.z} ${countText(z.count)}`).join(' · ')}
            </div>
          )}
          <div className="small bounds" title="Bounds: west, south, east, north (degrees)">
            {/* West-south and east-north halves each kept on a line: a corner never splits. */}
            {boundsText(c.bounds)
              .split(/ (?=E )/)
              .map((half) => (
                <span key={half}>{half} </span>
              ))}
          </div>
        </td>
        <td className="numbers" data-testid="size">
          {c.sizeBytes === null ? '–' : formatBytes(c.sizeBytes)}
        </td>
        <td className="job small">
          {c.lastJob ? (
            <>
              <a href={`#/jobs/${c.lastJob.id}`}>
                #{c.lastJob.id} {c.lastJob.kind}
              </a>
              <div>
                <span className={`state state-${c.lastJob.state}`}>{c.lastJob.state}</span>
              </div>
              <div className="muted">{formatWhen(c.lastJob.at)}</div>
            </>
          ) : (
            <span className="muted">added by hand</span>
          )}
        </td>
        <td className="actions">
          <div className="action-grid">
            <button type="button" disabled={!readable} onClick={() => navigate({ name: 'map', cachePath: c.path })}>
              Open on map
            </button>
            <button type="button" disabled={!readable || verify.isPending} onClick={() => verify.mutate()}>
              Verify
            </button>
            <button
              type="button"
              disabled={c.preseedJobId === null || preseedMore.isPending}
              title={c.preseedJobId === null ? 'No preseed job made this cache' : `The form filled in from job #${c.preseedJobId}`}
              onClick={() => preseedMore.mutate()}
            >
              Preseed more…
            </button>
            <button type="button" disabled={!readable} aria-expanded={truncating} onClick={() => setTruncating(!truncating)}>
              Truncate…
            </button>
            <button type="button" disabled={remove.isPending} title="Nothing on disk changes" onClick={() => remove.mutate()}>
              Remove from list
            </button>
            {confirming ? (
              <span className="confirm">
                <button type="button" className="danger" disabled={destroy.isPending} onClick={() => destroy.mutate()}>
                  {destroy.isPending ? 'Deleting…' : `Delete ${c.sizeBytes === null ? 'it' : formatBytes(c.sizeBytes)} from disk`}
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button type="button" className="danger" disabled={!readable} onClick={() => setConfirming(true)}>
                Delete…
              </button>
            )}
            {failed && (
              <p className="error small" role="alert">
                {failed.message.replace(/^path: /, '')}
              </p>
            )}
          </div>
        </td>
      </tr>
      {truncating && (
        <tr className="truncate-row">
          <td colSpan={5}>
            <TruncatePanel
              cache={c}
              onClose={() => setTruncating(false)}
              onStarted={(id) => {
                setTruncateJob(id);
                setTruncating(false);
              }}
            />
          </td>
        </tr>
      )}
    </tbody>
  );
}
