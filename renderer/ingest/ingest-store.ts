/**
 * Drops being ingested: each dropped file's progress (refused at once, being sent, sent), then the
 * ingest job that takes them all (one job per drop, so a Shapefile's side files stay together).
 * UI state only; the job itself is engine data and is read through the contract.
 *
 * In the browser the files are uploaded to the headless host's upload route; in the desktop app a
 * dropped File has a path on this machine (when the preload offers `window.tessera.files.pathFor`), and
 * the job reads it from there.
 */
import { create } from 'zustand';
import type { Settings, StorageStatus, UploadStatus } from '../../shared/contract.js';
import { isAbortError, toTesseraError } from '../../shared/errors.js';
import { type DroppedEntry, planDrop } from './drop-plan.js';

export interface DropRow {
  name: string;
  size: number;
  state: 'waiting' | 'sending' | 'sent' | 'refused' | 'failed';
  /** Bytes sent so far. */
  sent: number;
  message: string | null;
}

export interface DropSession {
  id: number;
  rows: DropRow[];
  state: 'sending' | 'starting' | 'started' | 'nothing' | 'failed';
  jobId: number | null;
  message: string | null;
  /** The limits when the drop began, for the gauges. */
  limits: { jobQuota: number | null; dataDirUsed: number | null; dataDirQuota: number | null; free: number | null; floor: number };
}

interface IngestState {
  sessions: DropSession[];
  add(session: DropSession): void;
  update(id: number, change: Partial<DropSession>): void;
  updateRow(id: number, index: number, change: Partial<DropRow>): void;
  dismiss(id: number): void;
}

export const useIngest = create<IngestState>((set) => ({
  sessions: [],
  add: (session) => set((s) => ({ sessions: [...s.sessions, session] })),
  update: (id, change) => set((s) => ({ sessions: s.sessions.map((x) => (x.id === id ? { ...x, ...change } : x)) })),
  updateRow: (id, index, change) =>
    set((s) => ({ sessions: s.sessions.map((x) => (x.id === id ? { ...x, rows: x.rows.map((r, i) => (i === index ? { ...r, ...change } : r)) } : x)) })),
  dismiss: (id) => set((s) => ({ sessions: s.sessions.filter((x) => x.id !== id) })),
}));

/** A dropped file with what is known of it. */
export interface DroppedFile extends DroppedEntry {
  file: File | null;
}

export interface DropDeps {
  /** Uploads one file (browser host). */
  upload(file: File, onProgress: (sent: number) => void): Promise<UploadStatus>;
  /** The file's path on this machine (desktop host), or null when it has none. */
  pathFor?: ((file: File) => string | null) | undefined;
}

let nextId = 1;

/**
 * Ingests a drop: refuses what cannot go, sends the rest one file at a time (uploads) or names
 * their paths, then starts one ingest job for all that arrived. Resolves with the session id.
 */
export async function ingestDrop(files: readonly DroppedFile[], deps: DropDeps): Promise<number> {
  const store = useIngest.getState();
  const id = nextId++;
  const [settings, storage] = await Promise.all([
    window.tessera.settings.get({}).catch(() => null as Settings | null),
    window.tessera.storage.status({}).catch(() => null as StorageStatus | null),
  ]);
  const jobQuota = settings?.ingestJobQuotaBytes ?? null;
  const quota = storage?.quotas.find((q) => q.jobId === null) ?? null;
  const volume = storage?.volumes.find((v) => v.roles.includes('data directory')) ?? storage?.volumes[0] ?? null;
  const plan = planDrop(files, jobQuota);
  const refused = new Map(plan.refused.map((r) => [r.index, r.message]));
  store.add({
    id,
    rows: files.map((f, i) => ({ name: f.name, size: f.size, state: refused.has(i) ? 'refused' : 'waiting', sent: 0, message: refused.get(i) ?? null })),
    state: 'sending',
    jobId: null,
    message: null,
    limits: {
      jobQuota,
      dataDirUsed: quota?.usedBytes ?? null,
      dataDirQuota: quota?.limitBytes ?? null,
      free: volume?.freeBytes ?? null,
      floor: storage?.freeSpaceFloorBytes ?? settings?.freeSpaceFloorBytes ?? 0,
    },
  });
  const refs: string[] = [];
  for (const index of plan.accepted) {
    const dropped = files[index]!;
    const path = dropped.file && deps.pathFor ? deps.pathFor(dropped.file) : null;
    if (path) {
      refs.push(path);
      store.updateRow(id, index, { state: 'sent', sent: dropped.size, message: null });
      continue;
    }
    if (!dropped.file) {
      store.updateRow(id, index, { state: 'failed', message: `${dropped.name} could not be read from the drop` });
      continue;
    }
    store.updateRow(id, index, { state: 'sending' });
    try {
      const status = await deps.upload(dropped.file, (sent) => useIngest.getState().updateRow(id, index, { sent }));
      refs.push(status.file);
      store.updateRow(id, index, { state: 'sent', sent: dropped.size });
    } catch (error) {
      const e = toTesseraError(error);
      store.updateRow(id, index, { state: isAbortError(error) ? 'failed' : 'refused', message: e.message });
    }
  }
  if (refs.length === 0) {
    store.update(id, { state: 'nothing', message: 'Nothing was ingested: every file was refused.' });
    return id;
  }
  store.update(id, { state: 'starting' });
  const sent = useIngest
    .getState()
    .sessions.find((x) => x.id === id)!
    .rows.filter((r) => r.state === 'sent');
  // Named here: the engine cannot see an upload's file name when it names a job.
  const name = `ingest ${sent[0]!.name}${sent.length > 1 ? ` and ${sent.length - 1} more` : ''}`.slice(0, 200);
  try {
    const job = await window.tessera.jobs.start({ kind: 'ingest', name, params: { files: refs } });
    store.update(id, { state: 'started', jobId: job.id });
  } catch (error) {
    store.update(id, { state: 'failed', message: `The ingest job could not start: ${toTesseraError(error).message}` });
  }
  return id;
}
