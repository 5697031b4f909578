/**
 * Opens the writer a preseed job puts its tiles through, chosen by the output path: `.mbtiles`
 * (the default container), `.pmtiles`, anything else a z/x/y directory.
 *
 * Every writer refuses, with BAD_INPUT naming the path, an existing output that is not what its
 * path says or that holds another tile format, before it changes anything there.
 */
import { openDirectoryWriter } from './directory-writer.js';
import { openMbtilesWriter } from './mbtiles-writer.js';
import { openPmtilesWriter } from './pmtiles-writer.js';
import { type TileWriter, type WrittenTileFormat, writerKindFor } from './tile-writer.js';

export interface TileWriterOptions {
  format: WrittenTileFormat;
  /** Raster tile size in pixels: recorded in PMTiles and directory metadata (MBTiles readers measure the tiles). */
  tileSize?: number;
}

/** The writer for `path`; one per job, shared by its items. */
export async function openTileWriter(path: string, options: TileWriterOptions): Promise<TileWriter> {
  const kind = writerKindFor(path);
  switch (kind) {
    case 'mbtiles':
      return openMbtilesWriter(path, { format: options.format });
    case 'pmtiles':
      return openPmtilesWriter(path, options);
    case 'directory':
      return openDirectoryWriter(path, options);
  }
}
