import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Bbox } from '../../../shared/contract.js';
import { coverageFromRings } from '../../tiling/coverage.js';
import { CoverageIndex, planTiles } from '../../tiling/tile-plan.js';
import { metatileAt, metatileGrid, metatiles, middleMetatile, pickMetatileSide } from './metatiles.js';

const srtm: Bbox = [10.9996, 56.9996, 12.0004, 58.0004];

test('metatile sides keep a block at 1024 px', () => {
  assert.equal(pickMetatileSide(256), 4);
  assert.equal(pickMetatileSide(512), 2);
});

test('the blocks of a zoom level hold every tile of its range exactly once, on a grid aligned to the side', () => {
  for (const z of [0, 3, 9, 11]) {
    const range = planTiles(srtm, z, z)[0]!.range;
    const seen = new Set<string>();
    for (const block of metatiles(srtm, z, 4)) {
      for (const t of block.tiles) {
        const key = `${t.x}/${t.y}`;
        assert.ok(!seen.has(key), `${key} twice`);
        seen.add(key);
        assert.equal(Math.floor(t.x / 4), Math.floor(block.minX / 4));
        assert.equal(Math.floor(t.y / 4), Math.floor(block.minY / 4));
      }
      assert.ok(block.tiles.length <= 16);
    }
    assert.equal(seen.size, (range.maxX - range.minX + 1) * (range.maxY - range.minY + 1), `z${z}`);
  }
});

test('resuming from block n yields exactly the blocks after it, in the same order', () => {
  const all = [...metatiles(srtm, 11, 4)];
  const from = all[3]!.index;
  assert.deepEqual([...metatiles(srtm, 11, 4, undefined, from)], all.slice(3));
});

test('a coverage drops blocks and shrinks the others to the tiles it wants', () => {
  const ring: [number, number][] = [
    [11.1, 57.1],
    [11.3, 57.1],
    [11.3, 57.3],
    [11.1, 57.1],
  ];
  const index = new CoverageIndex(coverageFromRings([[ring]]));
  const blocks = [...metatiles(srtm, 11, 4, index)];
  const tiles = blocks.flatMap((b) => b.tiles);
  assert.equal(tiles.length, planTiles(srtm, 11, 11, coverageFromRings([[ring]]))[0]!.tiles);
  for (const b of blocks) {
    assert.equal(b.minX, Math.min(...b.tiles.map((t) => t.x)));
    assert.equal(b.maxY, Math.max(...b.tiles.map((t) => t.y)));
  }
  assert.ok(blocks.length < [...metatiles(srtm, 11, 4)].length);
});

test('middleMetatile is the block under the middle of the extent', () => {
  const block = middleMetatile([-180, -85, 180, 85], 6, 4)!;
  const grid = metatileGrid([-180, -85, 180, 85], 6, 4)!;
  assert.deepEqual(block, metatileAt(grid, block.index));
  assert.ok(block.minX <= 32 && block.maxX >= 31 - 3, `${block.minX}–${block.maxX}`);
});
