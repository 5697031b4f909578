/**
 * `tessera preseed vector … --layer nosuch`: one line on stderr naming the option and the layers
 * there are, exit 2 (it printed a second line per source); its dry run says the layer is missing,
 * not that the data lies outside the extent. Real child processes on Natural Earth's GeoPackage.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runTessera } from '../testing/run-tessera.js';
import { worldMapGpkg } from '../testing/real-data.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-layer-refusal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const tessera = (...args: string[]) => runTessera(join(dir, 'data'), ...args);

const LAYERS = 'states_provinces, countries, disputed_borders, layer_styles';

test('an unknown --layer is refused in one line, exit 2', async () => {
  const run = await tessera('preseed', 'vector', worldMapGpkg(), '--layer', 'nosuch', '--zoom', '0-2', '-o', join(dir, 'o.mbtiles'));
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stderr, `tessera: BAD_INPUT: --layer: no source has a layer named "nosuch" (they have: ${LAYERS})\n`);
  assert.equal(run.stdout, '');
});

test('the dry run of an unknown --layer names the missing layer, not an empty extent, exit 2', async () => {
  const run = await tessera('preseed', 'vector', worldMapGpkg(), '--layer', 'nosuch', '--zoom', '0-2', '-o', join(dir, 'o.mbtiles'), '--dry-run');
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stdout, new RegExp(`✗ .*world_map\\.gpkg: BAD_INPUT: .*world_map\\.gpkg has none of the chosen layers \\(it has: ${LAYERS}\\)\\n`));
  assert.doesNotMatch(run.stdout, /OUTSIDE_EXTENT/);
});
