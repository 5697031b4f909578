/**
 * The console's one subscription to the engine's events, for as long as the shell is up:
 * - job.changed: written into the cached queue lists in place (queue/job-cache.ts), and announced
 *   when it is a finish;
 * - job.progress: the live bars (live-progress.ts);
 * - queue.changed: the queue.get query. The engine sends it when jobs start and end, but not when
 *   a job joins the queue (created, retried) or leaves it unstarted (cancelled), so those
 *   job.changed events ask for queue.get (at most once per QUEUE_REFRESH_MS); an answer that a
 *   queue.changed event overtook meanwhile is dropped, as it is older.
 * - a finish also asks again for what storage feeds (storage.status, app.health): a finished job is
 *   when space was taken or given back, so the header's disk pill and every gauge move at once
 *   rather than at their next poll (see refreshStorage).
 * - engine.state: the engine process crashed and restarts (or stopped restarting): the header's
 *   health pills say so at once; once it runs again, everything on screen is asked again (jobs
 *   were interrupted and resumed meanwhile, and events sent while it was down are lost).
 * A job on screen is followed by data/follow-job.ts (its summary, items and log), not from here.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { FINISHED_JOB_STATES, type JobState } from '../../shared/contract.js';
import { queryKey } from '../data/query-keys.js';
import { useLiveProgress } from '../live-progress.js';
import { applyJobChanged, queueKeys } from '../queue/job-cache.js';
import { useUi } from '../ui-store.js';
import { useEngineStatus } from './engine-status.js';
import { FinishWatcher, announce } from './notifications.js';
import { refreshStorage } from './refresh-storage.js';

const QUEUE_REFRESH_MS = 300;

/** Subscribes the shell to the engine's events for its lifetime. */
export function useEngineEvents(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const watcher = new FinishWatcher();
    const api = window.tessera;
    // The last state seen of each unfinished job, to tell a state change from a counter moving.
    const states = new Map<number, JobState>();
    let refresh: ReturnType<typeof setTimeout> | null = null;
    let queueEvents = 0;
    const refreshQueue = () => {
      refresh ??= setTimeout(() => {
        refresh = null;
        const seen = queueEvents;
        api.queue.get({}).then(
          (state) => {
            if (seen === queueEvents) queryClient.setQueryData(queueKeys.queueState, state);
          },
          () => {}, // the next event or refresh tries again; the header keeps the last state
        );
      }, QUEUE_REFRESH_MS);
    };
    const offs = [
      api.on('job.changed', (job) => {
        applyJobChanged(queryClient, job);
        const before = states.get(job.id);
        if (before !== job.state && (job.state === 'queued' || job.state === 'cancelled' || before === 'queued')) refreshQueue();
        if (FINISHED_JOB_STATES.includes(job.state)) {
          states.delete(job.id);
          refreshStorage(queryClient);
        } else states.set(job.id, job.state);
        if (job.state !== 'running') useLiveProgress.getState().forget(job.id);
        const notice = watcher.check(job);
        if (notice) announce(notice, (jobId) => useUi.getState().navigate({ name: 'job', jobId }));
      }),
      api.on('job.progress', (progress) => useLiveProgress.getState().update(progress)),
      api.on('engine.state', (engine) => {
        useEngineStatus.getState().setEngine(engine);
        if (engine.state === 'running') void queryClient.invalidateQueries();
        else void queryClient.invalidateQueries({ queryKey: queryKey('app.health') });
      }),
      api.on('queue.changed', (state) => {
        queueEvents++;
        queryClient.setQueryData(queueKeys.queueState, state);
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      if (refresh !== null) clearTimeout(refresh);
    };
  }, [queryClient]);
}
