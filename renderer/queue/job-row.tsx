/**
 * One job as a table row, in the active section or the history: state, live progress (rate and
 * ETA while it runs), its error, and Cancel / Retry. Clicking the row opens the job's detail.
 */
import { memo, type MouseEvent } from 'react';
import { type JobSummary, unitOf } from '../../shared/contract.js';
import { fileNameOf, isUploadParam } from '../../shared/param-labels.js';
import { outputOf } from '../job-detail/job-output.js';
import { useLiveProgress } from '../live-progress.js';
import { useUi } from '../ui-store.js';
import { formatCounts, formatRate, formatRunTime, formatSeconds, percentDone } from './format.js';
import { formatWhen } from '../dates.js';
import { canCancel, canRetry, useRowAction } from './job-actions.js';

/** Which table the row is in: the active one shows rate and ETA, the history creation and run time. */
export type RowVariant = 'active' | 'history';

interface JobRowProps {
  job: JobSummary;
  variant: RowVariant;
  selected: boolean;
  onSelect(ids: number[], on: boolean): void;
  /** The virtualiser's index (history only): lets tests and the bench see how deep the list is. */
  index?: number;
}

/** Clicks on these inside a row do their own thing and do not open the detail. */
const OWN_CLICK = 'a, button, input, label, select';

/** What the job is about: its cache or output, the files it ingests, the service it copies. */
function subjectOf(job: JobSummary): string {
  const params = job.params as { files?: string[]; url?: string; datasets?: string[]; sources?: string[] };
  const output = outputOf(job);
  const inputs = params.datasets ?? params.sources;
  if (output !== '') return inputs ? `${inputs.length === 1 ? inputs[0] : `${inputs.length} inputs`} → ${output}` : output;
  // An upload's id means nothing to anyone: its name is the job's name (the console names ingests after their files).
  if (params.files)
    return params.files.length === 1 ? (isUploadParam(params.files[0]!) ? 'an uploaded file' : fileNameOf(params.files[0]!)) : `${params.files.length} files`;
  return params.url ?? job.kind;
}

/** Characters of a long name kept whole at its end: the file name's distinctive tail and extension. */
const NAME_TAIL = 14;

/**
 * A name as a head that may be cut with an ellipsis and a tail that never is, so a narrow column
 * reads "verify northern-alps-hi…-wrap.mbtiles": the kind and the file's end both stay in view,
 * as file managers cut long names in the middle. Short names are one part.
 */
export function nameParts(name: string): { kind: 'head' | 'tail'; text: string }[] {
  const chars = [...name];
  if (chars.length <= NAME_TAIL * 2) return [{ kind: 'head', text: name }];
  // A space at the cut would be dropped at the end (or start) of its inline box ("bluemarble.tif→ big"): kept as a no-break space.
  return [
    { kind: 'head', text: chars.slice(0, -NAME_TAIL).join('').replace(/ $/, '\u00a0') },
    { kind: 'tail', text: chars.slice(-NAME_TAIL).join('').replace(/^ /, '\u00a0') },
  ];
}

/** A job row; memoised, so a live update re-renders only the row whose job changed. */
export const JobRow = memo(function JobRow({ job, variant, selected, onSelect, index }: JobRowProps) {
  const navigate = useUi((s) => s.navigate);
  const live = useLiveProgress((s) => (job.state === 'running' ? s.byJob[job.id] : undefined));
  const progress = live ?? job.progress;
  const pct = percentDone(progress.done, progress.total);
  const action = useRowAction();
  const ran = variant === 'history' ? formatRunTime(job) : '';
  const counts = formatCounts(progress.done, progress.total, progress.failed, unitOf(job.kind), progress.skipped);

  const open = (event: MouseEvent) => {
    if ((event.target as Element).closest(OWN_CLICK)) return;
    navigate({ name: 'job', jobId: job.id });
  };

  return (
    <tr data-testid={`job-${job.id}`} data-state={job.state} data-index={index} className={selected ? 'job selected' : 'job'} onClick={open}>
      <td className="check">
        <input type="checkbox" checked={selected} aria-label={`Select job ${job.id}`} onChange={(e) => onSelect([job.id], e.currentTarget.checked)} />
      </td>
      <td className="num muted">{job.id}</td>
      <td className="name">
        <a href={`#/jobs/${job.id}`} title={job.name} className="job-name">
          {nameParts(job.name).map((part, i) => (
            <span key={part.kind} className={part.kind} data-part={i}>
              {part.text}
            </span>
          ))}
        </a>
        {job.error ? (
          <div className="error small line" title={`${job.error.code}: ${job.error.message}`}>
            {job.error.message}
          </div>
        ) : (
          <div className="muted small line" title={subjectOf(job)}>
            {subjectOf(job)}
          </div>
        )}
      </td>
      <td>
        <span className={`pill state-${job.state}`}>{job.state}</span>
      </td>
      <td className="progress">
        <div
          className={`bar bar-${job.state}`}
          role="progressbar"
          aria-label={`Job ${job.id} progress`}
          aria-valuenow={Math.round(pct)}
          aria-valuemin={0}
          aria-valuemax={100}
        >
          <div style={{ width: `${pct}%` }} />
        </div>
        {/* Whole on hover where a narrow column cuts it ("4,096 / 4,096 · 17 bad"). */}
        <div className="small muted line" title={counts}>
          {counts}
        </div>
      </td>
      {variant === 'active' ? (
        <td className="small num when">
          {job.state === 'running' && (
            <>
              <div className="line">{formatRate(progress.rate, unitOf(job.kind))}</div>
              {progress.total > 0 && <div className="line muted">ETA {formatSeconds(progress.etaSeconds)}</div>}
            </>
          )}
        </td>
      ) : (
        <td className="small when">
          <div className="line">{formatWhen(job.createdAt)}</div>
          <div className="line muted" title="How long it ran">
            {ran && `ran ${ran}`}
          </div>
        </td>
      )}
      <td className="actions">
        {/* Every row fits its actions in the column: one labelled button, and when a job has two
            (an interrupted one resumes or is dropped) the second is a compact one. */}
        {canRetry(job.state) && (
          <button type="button" onClick={() => action.mutate({ action: 'retry', ids: [job.id] })} disabled={action.isPending}>
            {job.state === 'interrupted' ? 'Resume' : 'Retry'}
          </button>
        )}
        {canCancel(job.state) &&
          (canRetry(job.state) ? (
            <button
              type="button"
              className="compact"
              aria-label="Cancel"
              title={`Cancel job #${job.id} instead of resuming it`}
              onClick={() => action.mutate({ action: 'cancel', ids: [job.id] })}
              disabled={action.isPending}
            >
              <span aria-hidden="true">✕</span>
            </button>
          ) : (
            <button type="button" onClick={() => action.mutate({ action: 'cancel', ids: [job.id] })} disabled={action.isPending}>
              Cancel
            </button>
          ))}
      </td>
    </tr>
  );
});
