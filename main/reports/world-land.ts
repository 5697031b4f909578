/**
 * The world's land for the extent maps of job reports, read from the land outline file
 * (shared/land/world-land.json, Natural Earth 1:50m land simplified to 0.05°: about 19,000
 * points in 776 rings) and decoded by the one decoder the renderer's extent map uses too
 * (shared/land/land-outline.ts). scripts/make-land.mjs makes the file from world-atlas.
 *
 * At run time the file is the copy tsc emits beside the compiled decoder: shared/tsconfig.json
 * takes `land/*.json` into its program (resolveJsonModule), so `tsc -b` writes it to
 * dist/shared/land/world-land.json, which electron-builder packs with the rest of dist/. It is
 * read once, synchronously, the first time a report draws a map.
 */
import { readFileSync } from 'node:fs';
import { type LandRing, decodeLand, parseLandFile } from '../../shared/land/land-outline.js';

/** Where the land outline is, from this module's compiled place (dist/main/reports/). */
export const WORLD_LAND_FILE = new URL('../../shared/land/world-land.json', import.meta.url);

let rings: LandRing[] | undefined;

/** Every land ring (outer rings and holes alike: the reports fill even-odd), decoded once and kept. */
export function worldLandRings(): LandRing[] {
  rings ??= decodeLand(parseLandFile(JSON.parse(readFileSync(WORLD_LAND_FILE, 'utf8')))).flat();
  return rings;
}
