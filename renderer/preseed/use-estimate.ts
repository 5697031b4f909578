/**
 * The dry run behind the form: jobs.estimate for the form's input once it has stopped changing
 * (and at once from the Estimate button).
 *
 * Each estimate is a query keyed on the exact input it was asked for, so an answer can only ever
 * land under its own input: a slow estimate of an older input that arrives after a newer one has
 * no way to overwrite it, and going back to an input already estimated shows that answer again.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import type { JobEstimate, JobStartInput } from '../../shared/contract.js';
import { queryKey } from '../data/query-keys.js';

/** How long the form must be still before it is estimated: a dry run reads datasets and renders a sample. */
export const ESTIMATE_DELAY_MS = 800;

export interface Estimate {
  /** The latest answer (maybe for an older input than the form's: see `outdated`). */
  data: JobEstimate | undefined;
  error: Error | null;
  /** An estimate is on its way from the engine. */
  fetching: boolean;
  /** The form's input is valid and new: it is estimated once the form has been still for the delay. */
  waiting: boolean;
  /** The answer shown is not for the form as it is (a new one is due or on its way, or the form is not valid now). */
  outdated: boolean;
  /** When the answer shown arrived (ms since the epoch), 0 when none. */
  updatedAt: number;
  /** Estimates the form's input now, without waiting for the delay (again, if it was estimated already). */
  now(): void;
}

/** Only what the estimate depends on: name and priority change nothing in it. */
function estimateKeyOf(input: JobStartInput | null): string | null {
  return input === null ? null : JSON.stringify({ kind: input.kind, params: input.params });
}

/** `input`: the form's input when it passes the contract's checks, else null (nothing is sent). */
export function useEstimate(input: JobStartInput | null, delayMs = ESTIMATE_DELAY_MS): Estimate {
  const key = estimateKeyOf(input);
  const [sent, setSent] = useState<string | null>(null);

  useEffect(() => {
    if (key === null || key === sent) return;
    const timer = setTimeout(() => setSent(key), delayMs);
    return () => clearTimeout(timer);
  }, [key, sent, delayMs]);

  const query = useQuery({
    // Under the request's name (so settings can ask for every estimate again), then its input as sent.
    queryKey: [...queryKey('jobs.estimate'), sent],
    queryFn: () => window.tessera.jobs.estimate(JSON.parse(sent!) as JobStartInput),
    enabled: sent !== null,
    // An estimate is a measurement of a moment (free space, the quota, a sample): coming back to
    // the form after a while (from Settings, say) measures again.
    staleTime: 15_000,
    gcTime: 5 * 60_000,
    retry: false,
    // The last answer stays in view (marked out of date) while the next one is made.
    placeholderData: keepPreviousData,
  });

  const { refetch } = query;
  const now = useCallback(() => {
    if (key === null) return;
    if (key === sent) void refetch();
    else setSent(key);
  }, [key, sent, refetch]);

  return {
    data: query.data,
    error: query.error,
    fetching: query.isFetching,
    waiting: key !== null && key !== sent,
    outdated: (sent !== null && key !== sent) || query.isPlaceholderData,
    updatedAt: query.dataUpdatedAt,
    now,
  };
}
