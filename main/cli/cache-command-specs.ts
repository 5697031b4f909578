/** `tessera caches list` and `tessera truncate` as data (see command-specs.ts), kept beside it to keep that module small. */
import type { CommandSpec } from './command-specs.js';

export const CACHE_COMMANDS: readonly CommandSpec[] = [
  {
    path: ['caches'],
    summary: 'the tile caches jobs made, checked or truncated, and those added in the console',
    options: [],
    examples: ['tessera caches list', 'tessera caches list --json'],
  },
  {
    path: ['caches', 'list'],
    summary: 'list the tile caches with format, tile type, zooms, tiles, size on disk and last job',
    description:
      'List every tile cache a preseed wrote or a verify or truncate read (still on disk), and those added by hand in the console: format, tile type, zooms, tiles counted per zoom, bytes on disk, bounds and the last job with its state.',
    options: [],
    examples: ['tessera caches list', 'tessera caches list --json'],
  },
  {
    path: ['truncate'],
    args: ['<cache>'],
    summary: "delete a cache's tiles in a zoom range, optionally only inside a bbox",
    description:
      'Delete the tiles of an MBTiles, PMTiles or z/x/y tile directory in a zoom range, and only those touching --bbox when given; the other tiles stay as they are (a PMTiles archive is rewritten without them). Deleting every tile is refused: delete the cache instead. Exit 130 when cancelled (what was deleted stays deleted; the cache stays valid).',
    options: [
      { name: 'min-zoom', value: 'N', description: 'the lowest zoom level to delete', required: true },
      { name: 'max-zoom', value: 'N', description: 'the highest zoom level to delete', required: true },
      {
        name: 'bbox',
        value: 'W,S,E,N',
        description: 'only tiles touching this WGS84 box, in degrees; west may be negative',
        default: 'every tile of those zooms',
      },
      { name: 'dry-run', description: 'count the tiles that would be deleted; delete nothing' },
    ],
    examples: [
      'tessera truncate world.mbtiles --min-zoom 5 --max-zoom 6',
      'tessera truncate tiles/ --min-zoom 10 --max-zoom 14 --bbox -10.5,51.2,-5.4,55.5 --dry-run',
    ],
  },
];
