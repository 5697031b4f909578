/**
 * output-sink: the modes' choice of tiles to write, and overwrite's clean-up, on a real MBTiles
 * writer (tiles stamped at chosen times with writeAt).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type MbtilesWriter, openMbtilesWriter } from '../../tile-cache/mbtiles-writer.js';
import type { TileToWrite } from '../../tile-cache/tile-writer.js';
import { coverageFromRings } from '../../tiling/coverage.js';
import { tileBoundsLonLat } from '../../../shared/tile-grid.js';
import { type ModeRule, keepsExisting, removeUnwrittenTiles, tilesToWrite } from './output-sink.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-output-sink-'));
after(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

const PLANNED = Date.parse('2026-01-10T12:00:00Z');
const DAY = 86_400_000;

function tile(z: number, x: number, y: number): TileToWrite {
  return { z, x, y, data: Buffer.from(`tile ${z}/${x}/${y}`) };
}

async function writerWith(stamped: { tiles: TileToWrite[]; at: number }[]): Promise<MbtilesWriter> {
  const writer = await openMbtilesWriter(join(root, `out-${++files}.mbtiles`), { format: 'pbf' });
  for (const s of stamped) writer.writeAt(s.tiles, s.at);
  return writer;
}

const names = (tiles: readonly { z: number; x: number; y: number }[]) => tiles.map((t) => `${t.z}/${t.x}/${t.y}`).sort();

test('keepsExisting: this job’s own tiles are always written again; older ones by the mode', () => {
  const rule = (mode: ModeRule['mode'], olderThanMs: number | null = null): ModeRule => ({ mode, olderThanMs, plannedAt: PLANNED, fresh: false });
  for (const mode of ['resume', 'overwrite', 'refresh'] as const) {
    assert.equal(keepsExisting(PLANNED, rule(mode, PLANNED - DAY)), false, `${mode}: written at planning`);
    assert.equal(keepsExisting(PLANNED + 5, rule(mode, PLANNED - DAY)), false, `${mode}: written since`);
  }
  assert.equal(keepsExisting(PLANNED - DAY, rule('resume')), true);
  assert.equal(keepsExisting(0, rule('resume')), true, "another tool's tile");
  assert.equal(keepsExisting(PLANNED - DAY, rule('overwrite')), false);
  assert.equal(keepsExisting(PLANNED - 3 * DAY, rule('refresh', PLANNED - 2 * DAY)), false, 'older than olderThan: redone');
  assert.equal(keepsExisting(PLANNED - 2 * DAY, rule('refresh', PLANNED - 2 * DAY)), true, 'at olderThan: kept');
  assert.equal(keepsExisting(PLANNED - DAY, rule('refresh', PLANNED - 2 * DAY)), true, 'newer: kept');
  assert.equal(keepsExisting(PLANNED - DAY, rule('refresh', null)), true);
});

test('tilesToWrite: resume skips what the output holds, refresh redoes what is older, overwrite and a fresh output write all', async () => {
  const old = [tile(5, 10, 11), tile(5, 11, 11)];
  const recent = [tile(5, 12, 11), tile(6, 20, 22)];
  const mine = [tile(6, 21, 22)];
  const writer = await writerWith([
    { tiles: old, at: PLANNED - 10 * DAY },
    { tiles: recent, at: PLANNED - DAY },
    { tiles: mine, at: PLANNED + 1000 },
  ]);
  try {
    const absent = [tile(5, 13, 11), tile(6, 0, 0)];
    const batch = [...old, ...recent, ...mine, ...absent];
    const rule = (mode: ModeRule['mode'], olderThanMs: number | null = null, fresh = false): ModeRule => ({ mode, olderThanMs, plannedAt: PLANNED, fresh });
    assert.deepEqual(names(await tilesToWrite(writer, batch, rule('resume'))), names([...mine, ...absent]));
    assert.deepEqual(names(await tilesToWrite(writer, batch, rule('refresh', PLANNED - 5 * DAY))), names([...old, ...mine, ...absent]));
    assert.deepEqual(names(await tilesToWrite(writer, batch, rule('overwrite'))), names(batch));
    assert.deepEqual(names(await tilesToWrite(writer, batch, rule('resume', null, true))), names(batch), 'a fresh output holds nothing older');
    assert.deepEqual(await tilesToWrite(writer, [], rule('resume')), []);
  } finally {
    await writer.close();
  }
});

test('removeUnwrittenTiles: old tiles in the scope go; this job’s, other zooms’, and those beyond the bbox or coverage stay', async () => {
  // z4 tiles over western Europe; x 7–8 straddle Greenwich, y 5 is around 41–55°N.
  const inside = [tile(4, 7, 5), tile(4, 8, 5)];
  const beyondBbox = [tile(4, 2, 5)];
  const otherZoom = [tile(3, 3, 2)];
  const written = [tile(4, 7, 4)];
  const writer = await writerWith([
    { tiles: [...inside, ...beyondBbox, ...otherZoom], at: PLANNED - DAY },
    { tiles: written, at: PLANNED + 10 },
  ]);
  try {
    const removed = await removeUnwrittenTiles(writer, { bbox: [-30, 30, 30, 70], minZoom: 4, maxZoom: 4 }, PLANNED);
    assert.equal(removed, 2);
    const left = await writer.writtenAt(4, 0, 0, 15, 15);
    assert.deepEqual([...left.keys()].sort(), ['2/5', '7/4']);
    assert.equal((await writer.writtenAt(3, 0, 0, 7, 7)).size, 1);
  } finally {
    await writer.close();
  }
  // A coverage polygon over tile 4/8/5 only: 4/7/5 is outside it and stays.
  const [w, s, e, n] = tileBoundsLonLat(4, 8, 5);
  const coverage = coverageFromRings([
    [
      [
        [w + 1, s + 1],
        [e - 1, s + 1],
        [e - 1, n - 1],
        [w + 1, n - 1],
        [w + 1, s + 1],
      ],
    ],
  ]);
  const again = await writerWith([{ tiles: inside, at: PLANNED - DAY }]);
  try {
    assert.equal(await removeUnwrittenTiles(again, { bbox: [-30, 30, 30, 70], minZoom: 4, maxZoom: 4, coverage }, PLANNED), 1);
    assert.deepEqual([...(await again.writtenAt(4, 0, 0, 15, 15)).keys()], ['7/5']);
  } finally {
    await again.close();
  }
});

test('removeUnwrittenTiles errs towards keeping: a tile written within 2 s before planning is taken for this job’s', async () => {
  const writer = await writerWith([
    { tiles: [tile(2, 1, 1)], at: PLANNED - 1500 },
    { tiles: [tile(2, 2, 1)], at: PLANNED - 2500 },
  ]);
  try {
    assert.equal(await removeUnwrittenTiles(writer, { bbox: [-180, -85, 180, 85], minZoom: 2, maxZoom: 2 }, PLANNED), 1);
    assert.deepEqual([...(await writer.writtenAt(2, 0, 0, 3, 3)).keys()], ['1/1']);
  } finally {
    await writer.close();
  }
});
