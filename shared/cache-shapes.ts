/** The Caches screen's data: every tile cache jobs made or checked, and those added by hand (caches.list). */
import type { JobKind } from './kinds/index.js';
import type { JobState } from './job-states.js';

/** The last job that made, checked or changed a cache. */
export interface CacheJobRef {
  id: number;
  kind: JobKind;
  name: string;
  state: JobState;
  /** When it finished (ISO), else when it was created. */
  at: string;
}

export interface CacheEntry {
  /** Absolute path: an MBTiles file, a PMTiles archive or a z/x/y tile folder. */
  path: string;
  /** The tileset's name, else the file name. */
  name: string;
  /** Why it is listed: a job's output or input, and/or added by hand. */
  origin: 'job' | 'added' | 'both';
  /** Null when the cache cannot be read now (missing, damaged): `problem` says why. */
  kind: 'mbtiles' | 'pmtiles' | 'directory' | null;
  format: 'png' | 'jpg' | 'webp' | 'pbf' | 'unknown' | null;
  minZoom: number | null;
  maxZoom: number | null;
  /** WGS84 west, south, east, north. */
  bounds: [number, number, number, number] | null;
  /** Tiles it holds, counted (not declared). */
  tileCount: number | null;
  /** Per zoom level that holds tiles. */
  zooms: { z: number; count: number }[];
  /** The device id of the volume it is on (VolumeStatus.device), null when it cannot be read. */
  device: string | null;
  /** Bytes allocated on disk (a folder's files summed; an MBTiles with its -wal). */
  sizeBytes: number | null;
  lastJob: CacheJobRef | null;
  /** The newest preseed job that wrote it ("Preseed more" opens its form filled in); null when none did. */
  preseedJobId: number | null;
  /** Jobs that named it (preseeds, verifies, truncates). */
  jobCount: number;
  /** Why it cannot be read; null when it can. */
  problem: string | null;
}
