/**
 * The Plans screen (issue 17): each plan source the engine keeps reconciled (and any folder or git
 * URL typed here), its plans' sync state (Synced, Out of sync, Removed) with the reason, last job
 * and next run, the files that are not valid plans with their line and field, and "Reconcile now".
 * Read again every 30 s and whenever a job finishes, since a plan's last job is part of its state.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { FINISHED_JOB_STATES, type PlanReport, type PlanStatus } from '../../shared/contract.js';
import { queryKey } from '../data/query-keys.js';
import { LoadError } from '../shell/load-error.js';
import '../controls.css';
import './plans-view.css';
import { formatTimeOfDay, formatWhen } from '../dates.js';

const REFRESH_MS = 30_000;

/** What a person reads for a plan's state: synced, out of sync (new or changed), or removed. */
export function syncLabel(plan: Pick<PlanStatus, 'state'>): { text: string; tone: 'ok' | 'warn' | 'muted' } {
  switch (plan.state) {
    case 'synced':
      return { text: 'Synced', tone: 'ok' };
    case 'new':
      return { text: 'Out of sync · new', tone: 'warn' };
    case 'changed':
      return { text: 'Out of sync · changed', tone: 'warn' };
    case 'removed':
      return { text: 'Removed', tone: 'muted' };
  }
}

function when(iso: string | null): string {
  return iso === null ? '—' : formatWhen(iso);
}

/** The screen for `#/plans`. */
export function PlansView() {
  const sources = useQuery({ queryKey: queryKey('plans.sources'), queryFn: () => window.tessera.plans.sources({}) });
  const [extra, setExtra] = useState<string[]>([]);
  const [typed, setTyped] = useState('');
  const all = [...new Set([...(sources.data ?? []), ...extra])];

  const add = (event: FormEvent) => {
    event.preventDefault();
    const source = typed.trim();
    if (source && !all.includes(source)) setExtra((list) => [...list, source]);
    setTyped('');
  };

  return (
    <section className="plans-view" aria-labelledby="plans-title">
      <div className="view-head">
        <h2 id="plans-title">Plans</h2>
        <span className="muted small">Jobs described in files: a folder or a git repository of plan files, reconciled like code</span>
      </div>
      <form className="plans-add" onSubmit={add}>
        <label htmlFor="plan-source">Plan folder or git URL</label>
        <input
          id="plan-source"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder="/srv/plans or https://git.example.org/gis/plans.git#prod:seed"
        />
        <button type="submit" disabled={!typed.trim()}>
          Check
        </button>
      </form>
      {sources.error && <LoadError what="read the plan sources" error={sources.error} retry={() => void sources.refetch()} />}
      {sources.isSuccess && all.length === 0 && (
        <p className="muted">
          No plan sources yet. Type a folder of plan files above to check it; to keep one reconciled and on schedule, add it under Settings › Plan sources (or
          start the console with <code>tessera serve --plans DIR</code>).
        </p>
      )}
      {all.map((source) => (
        <PlanSource key={source} source={source} watched={(sources.data ?? []).includes(source)} />
      ))}
    </section>
  );
}

function PlanSource({ source, watched }: { source: string; watched: boolean }) {
  const queryClient = useQueryClient();
  const key = queryKey('plans.check', { source });
  const report = useQuery({ queryKey: key, queryFn: () => window.tessera.plans.check({ source }), refetchInterval: REFRESH_MS });
  const reconcile = useMutation({
    mutationFn: () => window.tessera.plans.apply({ source }),
    onSuccess: (next) => queryClient.setQueryData(key, next),
  });

  useEffect(
    () =>
      window.tessera.on('job.changed', (job) => {
        if (FINISHED_JOB_STATES.includes(job.state)) void queryClient.invalidateQueries({ queryKey: key });
      }),
    [queryClient, key],
  );

  const data: PlanReport | undefined = report.data;
  const outOfSync = data?.plans.filter((p) => p.action !== 'none').length ?? 0;
  return (
    <section className="panel plan-source" aria-label={`Plans in ${source}`} data-testid="plan-source">
      <div className="plan-source-head">
        <h3 className="path">{source}</h3>
        <span className="muted small">
          {watched ? 'kept reconciled by the console' : 'checked on request'}
          {data?.commit && ` · commit ${data.commit.slice(0, 12)}`}
        </span>
        <button type="button" onClick={() => reconcile.mutate()} disabled={reconcile.isPending || !data}>
          {reconcile.isPending ? 'Reconciling…' : outOfSync ? `Reconcile now (${outOfSync})` : 'Reconcile now'}
        </button>
      </div>
      {report.isPending && <p className="muted">Reading the plans…</p>}
      {report.error && <LoadError what={`read the plans in ${source}`} error={report.error} retry={() => void report.refetch()} />}
      {reconcile.error && <LoadError what="reconcile" error={reconcile.error} retry={() => reconcile.mutate()} />}
      {reconcile.data && !reconcile.isPending && (
        <p className="muted small" role="status" data-testid="reconciled">
          Reconciled at {formatTimeOfDay(reconcile.submittedAt)}: {(() => {
            const started = reconcile.data.plans.filter((p) => p.startedJobId !== undefined).length;
            return started === 0 ? 'nothing to start' : `started ${started} job${started === 1 ? '' : 's'}`;
          })()}
          {reconcile.data.errors.length > 0 && ` · ${reconcile.data.errors.length} problem${reconcile.data.errors.length === 1 ? '' : 's'} below`}
        </p>
      )}
      {data && data.plans.length === 0 && data.errors.length === 0 && (
        <p className="muted">No plan files here (.yaml, .yml or .json with name, kind and params).</p>
      )}
      {data && data.plans.length > 0 && (
        <div className="table-scroll">
          <table className="plans-table">
            <thead>
              <tr>
                <th scope="col">Plan</th>
                <th scope="col">State</th>
                <th scope="col">Kind</th>
                <th scope="col">Last job</th>
                <th scope="col">Next run</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {data.plans.map((plan) => {
                const label = syncLabel(plan);
                return (
                  <tr key={plan.name} data-testid="plan-row">
                    <th scope="row">
                      {plan.name}
                      <div className="muted small path">{plan.file}</div>
                    </th>
                    <td>
                      <span className={`badge tone-${label.tone}`}>{label.text}</span>
                    </td>
                    <td>{plan.kind}</td>
                    <td>
                      {plan.lastJob ? (
                        <a href={`#/jobs/${plan.lastJob.id}`}>
                          #{plan.lastJob.id} {plan.lastJob.state}
                        </a>
                      ) : (
                        <span className="muted">never run</span>
                      )}
                    </td>
                    <td>{plan.schedule ? <span title={plan.schedule}>{when(plan.nextRun)}</span> : <span className="muted">no schedule</span>}</td>
                    <td className="small">
                      {plan.changes.length ? (
                        <ul className="plan-changes">
                          {plan.changes.map((c) => (
                            <li key={c}>{c}</li>
                          ))}
                        </ul>
                      ) : (
                        <span className="muted">as applied</span>
                      )}
                      {plan.startedJobId !== undefined && <div>started job #{plan.startedJobId}</div>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {data && data.errors.length > 0 && (
        <div className="plan-errors" role="alert">
          <strong>{data.errors.length === 1 ? '1 problem' : `${data.errors.length} problems`}: these plans are not applied; the others are</strong>
          <ul>
            {data.errors.map((e) => (
              <li key={`${e.file}:${e.line}:${e.column}:${e.field}:${e.message}`}>
                <code>
                  {e.file}
                  {e.line > 0 && `:${e.line}:${e.column}`}
                </code>
                {e.field && <code> {e.field}</code>} {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
