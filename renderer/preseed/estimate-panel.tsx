/**
 * The dry run shown beside the form: tiles per zoom over the real extent (and whether the job may
 * make fewer), the size and time measured on a sample with the range it allows, what each dataset contributes or why it cannot be used, and whether the
 * output fits (a job that does not fit is refused by the engine, so the form says so first).
 */
import type { JobEstimate } from '../../shared/contract.js';
import { NO_CRS_WAYS } from '../../shared/kinds/vector-preseed.js';
import { formatAbout, formatNativeZoom, formatTileBound, formatUpsampling } from '../../shared/format.js';
import { formatSeconds } from '../queue/format.js';
import { formatBytes } from '../storage/bytes.js';
import type { Estimate } from './use-estimate.js';
import { formatTimeOfDay } from '../dates.js';

/**
 * An engine message as the preseed form says it: a source without a CRS gets it from this form's
 * "CRS for sources without one" field, not from "Retry with CRS…" (a job's) or --crs (the CLI's).
 */
export function noCrsInFormWords(message: string): string {
  return message.replace(NO_CRS_WAYS, '"CRS for sources without one" in this form, a .prj beside a Shapefile');
}

/** Storage numbers from the problem's details, falling back to the estimate's storage facts. */
function numberIn(details: unknown, key: string): number | null {
  const v = (details as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Why the job does not fit, with the numbers: what it needs against what the volume or the quota
 * leaves. Null when it fits.
 */
export function storageProblemText(estimate: JobEstimate): string | null {
  const { storage } = estimate;
  const problem = storage.problem;
  if (problem === null) return null;
  const needed = numberIn(problem.details, 'neededBytes') ?? estimate.estimatedBytes ?? 0;
  switch (problem.code) {
    case 'DISK_FULL': {
      const free = numberIn(problem.details, 'freeBytes') ?? storage.freeBytes;
      const floor = numberIn(problem.details, 'floorBytes') ?? storage.floorBytes;
      return `Not enough disk space: the job needs about ${formatBytes(needed)}, and the volume of ${storage.output} has ${formatBytes(free)} free, of which ${formatBytes(floor)} must stay free (the free-space floor).`;
    }
    case 'QUOTA_EXCEEDED': {
      const quota = numberIn(problem.details, 'quotaBytes') ?? storage.quotaBytes ?? 0;
      const used = numberIn(problem.details, 'quotaUsedBytes') ?? storage.quotaUsedBytes;
      return `Over the cache quota: the job needs about ${formatBytes(needed)}, and the data directory already holds ${formatBytes(used)} of its ${formatBytes(quota)} quota (${formatBytes(Math.max(0, quota - used))} left).`;
    }
    default:
      return problem.message;
  }
}

function boundsText(b: [number, number, number, number]): string {
  return b.map((v) => v.toFixed(3)).join(', ');
}

export function EstimatePanel({ estimate, canEstimate, onEstimate }: { estimate: Estimate; canEstimate: boolean; onEstimate: () => void }) {
  const { data, error, fetching, waiting, outdated } = estimate;
  const status = fetching
    ? 'Estimating…'
    : waiting
      ? 'Estimating when the form is still…'
      : outdated
        ? 'The form changed since this estimate.'
        : data || error
          ? `Estimated at ${formatTimeOfDay(estimate.updatedAt || Date.now())}`
          : '';
  return (
    <section className="panel estimate" aria-labelledby="estimate-title" aria-busy={fetching} data-testid="estimate" data-outdated={outdated}>
      <div className="panel-head">
        <h3 id="estimate-title">Dry run</h3>
        {/* Off only while the form's own input is being estimated: a newer input may be sent at once. */}
        <button type="button" onClick={onEstimate} disabled={fetching && !waiting} title="Count the tiles and measure a sample now">
          Estimate
        </button>
        <span className="muted small" role="status" data-testid="estimate-status">
          {status}
        </span>
      </div>
      {!data && !error && !fetching && !waiting && (
        <p className="muted small">
          {canEstimate
            ? 'Press Estimate to count the tiles.'
            : 'Once the form is complete, the tiles per zoom, the size and the time are estimated here before anything starts.'}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="estimate-error">
          Could not estimate: {noCrsInFormWords(error.message)}
        </p>
      )}
      {data && <EstimateBody data={data} outdated={outdated} />}
    </section>
  );
}

function EstimateBody({ data, outdated }: { data: JobEstimate; outdated: boolean }) {
  const problem = storageProblemText(data);
  const perTile = data.sample?.bytesPerTile ?? null;
  const failing = data.datasets.filter((d) => d.error !== null);
  // The deepest zoom of this estimate (not of the form, which may have moved on since).
  const maxZoom = data.zooms.length > 0 ? Math.max(...data.zooms.map((z) => z.z)) : null;
  return (
    <div className={outdated ? 'estimate-body outdated' : 'estimate-body'}>
      {problem && (
        <div className="storage-problem" role="alert" data-testid="storage-problem">
          <strong>This job does not fit and cannot start.</strong> <code>{data.storage.problem!.code}</code>
          <p>{problem}</p>
          <p className="small">
            Choose fewer zoom levels or a smaller extent, an output on another volume, or change the limits in <a href="#/settings">Settings</a>.
          </p>
        </div>
      )}
      <dl className="estimate-totals">
        <dt>Tiles</dt>
        <dd>
          <span data-testid="estimate-tiles">{data.totalTiles.toLocaleString('en')}</span>
          {data.tilesUpperBound && (
            <span className="muted small" data-testid="estimate-tiles-bound">
              {' '}
              {formatTileBound(true, data.range?.tiles ?? null)}
            </span>
          )}
        </dd>
        <dt>Size</dt>
        <dd data-testid="estimate-bytes">
          {data.estimatedBytes === null ? 'unknown (no sample could be made)' : formatAbout(data.estimatedBytes, data.range?.bytes ?? null, formatBytes)}
        </dd>
        <dt>Time</dt>
        <dd data-testid="estimate-time">
          {data.estimatedSeconds === null ? 'unknown' : formatAbout(data.estimatedSeconds, data.range?.seconds ?? null, formatSeconds)}
        </dd>
        {data.sample && (
          <>
            <dt>Sample</dt>
            <dd className="muted small">
              {data.sample.tiles.toLocaleString('en')} tiles at z{data.sample.zooms.join(', z')}: {formatBytes(Math.round(data.sample.bytesPerTile))} and{' '}
              {(data.sample.secondsPerTile * 1000).toFixed(1)} ms per tile
            </dd>
          </>
        )}
      </dl>
      {data.totalTiles === 0 && failing.length < data.datasets.length && (
        <p className="warn-note" role="note">
          No tiles to make: the data does not meet the box or the coverage at these zooms.
        </p>
      )}
      {data.zooms.length > 0 && (
        <table className="grid estimate-zooms" data-testid="estimate-zooms">
          <caption className="visually-hidden">Tiles per zoom level</caption>
          <thead>
            <tr>
              <th scope="col">Zoom</th>
              <th scope="col" className="num">
                Tiles
              </th>
              {perTile !== null && (
                <th scope="col" className="num">
                  Size
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {data.zooms.map((z) => (
              <tr key={z.z} data-zoom={z.z}>
                <th scope="row">z{z.z}</th>
                <td className="num">{z.tiles.toLocaleString('en')}</td>
                {perTile !== null && <td className="num">{formatBytes(Math.round(z.tiles * perTile))}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>{data.datasets.length === 1 ? 'Dataset' : `Datasets (${data.datasets.length})`}</h4>
      <ul className="estimate-datasets" data-testid="estimate-datasets">
        {data.datasets.map((d, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: one dry run's list, replaced whole; the same path may be listed twice
          <li key={`${i}:${d.path}`} className={d.error ? 'bad' : undefined} data-path={d.path}>
            <span className="path" title={d.path}>
              {d.path}
            </span>
            {d.error ? (
              <span className="error small">
                <code>{d.error.code}</code> {noCrsInFormWords(d.error.message)}
              </span>
            ) : (
              <span className="muted small">
                {d.tiles.toLocaleString('en')} tiles{d.bounds && ` · ${boundsText(d.bounds)}`}
                {d.nativeZoom !== null && d.nativeZoom !== undefined && (
                  <span data-testid="native-zoom" title="The zoom whose ground resolution matches the data's pixels at its centre">
                    {' '}
                    · native {formatNativeZoom(d.nativeZoom)}
                  </span>
                )}
              </span>
            )}
            {!d.error && maxZoom !== null && formatUpsampling(maxZoom, d.nativeZoom) && (
              <span className="warn-note small" role="note" data-testid="upsampled">
                {formatUpsampling(maxZoom, d.nativeZoom)}
              </span>
            )}
          </li>
        ))}
      </ul>
      {failing.length > 0 && failing.length < data.datasets.length && (
        <p className="warn-note small">
          {failing.length} of {data.datasets.length} cannot be used: the job would end partial, with their errors.
        </p>
      )}
      {failing.length > 0 && failing.length === data.datasets.length && <p className="warn-note small">None of the data can be used: the job would fail.</p>}
      <p className="muted small estimate-storage" data-testid="estimate-storage">
        {formatBytes(data.storage.freeBytes)} free where the output goes (keeps {formatBytes(data.storage.floorBytes)})
        {data.storage.quotaBytes !== null && ` · quota ${formatBytes(data.storage.quotaUsedBytes)} of ${formatBytes(data.storage.quotaBytes)} used`}
      </p>
    </div>
  );
}
