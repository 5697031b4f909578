/**
 * What a change of storage invalidates: the volumes and quotas (storage.status, which the Storage
 * screen and the ingest panel share) and the engine's health, whose disk check the engine redoes on
 * every app.health call. Called when a job finishes, an upload lands and settings are saved, so the
 * header's disk pill never says "ok" (or "failed") for a minute after the space changed.
 */
import type { QueryClient } from '@tanstack/react-query';
import { queryKey } from '../data/query-keys.js';

/** The queries that read storage. */
export const STORAGE_QUERY_KEYS = [queryKey('storage.status'), queryKey('app.health')] as const;

/** Marks the storage queries stale and refetches the ones on screen. */
export function refreshStorage(queryClient: QueryClient): void {
  for (const key of STORAGE_QUERY_KEYS) void queryClient.invalidateQueries({ queryKey: key });
}
