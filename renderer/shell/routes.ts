/**
 * Hash routes of the console, both ways: `#/queue`, `#/jobs/<id>`, `#/preseed[/raster|/vector]`,
 * `#/map?path=…`, `#/caches`, `#/storage`, `#/catalog`, `#/migrate`, `#/plans`, `#/settings`. The hash (not the path) carries the screen because both hosts serve one
 * index.html: Electron from tessera://app/ and the headless host from /, and neither has to know
 * the console's routes. The map's own hash is read and written by renderer/map/route.ts, which
 * owns what a map address holds.
 */
import { assertNever } from '../../shared/assert-never.js';
import { hashForMap, mapScreenFromHash } from '../map/route.js';
import type { Screen } from '../ui-store.js';

/** The screen a location hash names; anything unknown (or empty) is the queue. */
export function screenFromHash(hash: string): Screen {
  const route = hash.replace(/^#\/?/, '');
  const [path = ''] = route.split('?');
  const parts = path.split('/').filter((p) => p !== '');
  switch (parts[0]) {
    case 'jobs': {
      const id = Number(parts[1]);
      return Number.isSafeInteger(id) && id > 0 ? { name: 'job', jobId: id } : { name: 'queue' };
    }
    case 'preseed':
      return parts[1] === 'raster' || parts[1] === 'vector' ? { name: 'preseed', kind: parts[1] } : { name: 'preseed' };
    case 'map':
      return mapScreenFromHash(hash) ?? { name: 'map' };
    case 'caches':
      return { name: 'caches' };
    case 'storage':
      return { name: 'storage' };
    case 'workers':
      return { name: 'workers' };
    case 'catalog':
      return { name: 'catalog' };
    case 'migrate':
      return { name: 'migrate' };
    case 'plans':
      return { name: 'plans' };
    case 'settings':
      return { name: 'settings' };
    default:
      return { name: 'queue' };
  }
}

/** The hash of a screen (with its leading `#`). */
export function hashForScreen(screen: Screen): string {
  switch (screen.name) {
    case 'queue':
      return '#/queue';
    case 'job':
      return `#/jobs/${screen.jobId}`;
    case 'preseed':
      return screen.kind === undefined ? '#/preseed' : `#/preseed/${screen.kind}`;
    case 'map':
      return hashForMap(screen);
    case 'caches':
      return '#/caches';
    case 'storage':
      return '#/storage';
    case 'workers':
      return '#/workers';
    case 'catalog':
      return '#/catalog';
    case 'migrate':
      return '#/migrate';
    case 'plans':
      return '#/plans';
    case 'settings':
      return '#/settings';
    default:
      return assertNever(screen);
  }
}

/** Whether two screens are the same place (the same hash). */
export function sameScreen(a: Screen, b: Screen): boolean {
  return hashForScreen(a) === hashForScreen(b);
}
