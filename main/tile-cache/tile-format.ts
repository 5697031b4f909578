/**
 * Tile-format names as caches spell them (MBTiles metadata, file extensions), mapped to TileFormat.
 *
 * One mapping for every reader, so "jpeg" and "mvt" mean the same thing whichever cache said them.
 */
import type { TileFormat } from './tile-cache.js';

/** `jpeg` → jpg, `mvt` → pbf, case-insensitive; anything else is 'unknown' (verification then sniffs the bytes). */
export function normaliseFormat(name: string | undefined): TileFormat {
  switch (name?.trim().toLowerCase()) {
    case 'png':
      return 'png';
    case 'jpg':
    case 'jpeg':
      return 'jpg';
    case 'webp':
      return 'webp';
    case 'pbf':
    case 'mvt':
      return 'pbf';
    default:
      return 'unknown';
  }
}
