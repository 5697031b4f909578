/**
 * Reads tiles already in the output, to compose a dataset's edge tiles over what an earlier
 * dataset of the same job left there (see tile-decisions.ts).
 *
 * The writer interface has no read, so the output is read through the engine's own readers: an
 * MBTiles file, a PMTiles archive's working MBTiles (where its tiles are until `finish`), or a
 * tile directory, with a second, read-only connection that sees committed batches only. A writer
 * that offers `readTile` itself is asked directly. When a tile cannot be read, composing falls
 * back to replacing: the later dataset's tile wins whole.
 */
import { openTileCache } from '../../tile-cache/open-tile-cache.js';
import type { TileCacheReader } from '../../tile-cache/tile-cache.js';
import { workingFileOf } from '../../tile-cache/pmtiles-writer.js';
import type { TileWriter } from '../../tile-cache/tile-writer.js';

export interface ExistingTiles {
  /** The tile's stored bytes, or null when there is none (or it cannot be read here). */
  read(z: number, x: number, y: number): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

interface ReadableWriter {
  readTile(z: number, x: number, y: number): Promise<Uint8Array | null>;
}

function canRead(writer: TileWriter): writer is TileWriter & ReadableWriter {
  return typeof (writer as Partial<ReadableWriter>).readTile === 'function';
}

export function existingTiles(writer: TileWriter): ExistingTiles {
  if (canRead(writer)) return { read: (z, x, y) => writer.readTile(z, x, y), close: async () => {} };
  const where = writer.kind === 'pmtiles' ? workingFileOf(writer.path) : writer.path;
  let reader: Promise<TileCacheReader> | null = null;
  return {
    async read(z, x, y) {
      // Opened on first use: by then the writer has created the file.
      reader ??= openTileCache(where);
      try {
        return await (await reader).readTile(z, x, y);
      } catch {
        reader = null;
        return null;
      }
    },
    async close() {
      if (reader) await (await reader.catch(() => null))?.close();
      reader = null;
    },
  };
}
