import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveInputPath } from './gdal-path.js';

test('a GDAL virtual path keeps its exact form; a plain path is resolved against the folder given', () => {
  const cases: [string, string][] = [
    // The form ogrinfo opens: the archive's absolute path after the second slash.
    ['/vsizip//data/nybb_16a.zip/nybb.shp', '/vsizip//data/nybb_16a.zip/nybb.shp'],
    ['/vsigzip//data/states.geojson.gz', '/vsigzip//data/states.geojson.gz'],
    ['/vsizip/{/data/a b.zip}/x/y.tif', '/vsizip/{/data/a b.zip}/x/y.tif'],
    ['/vsizip//vsicurl/https://example.com/a.zip/a.shp', '/vsizip//vsicurl/https://example.com/a.zip/a.shp'],
    ['/vsicurl/https://example.com/dem.tif', '/vsicurl/https://example.com/dem.tif'],
    ['/vsimem/x.tif', '/vsimem/x.tif'],
    ['PG:dbname=gis host=db', 'PG:dbname=gis host=db'],
    // Relative inner files are the command's: resolved in its folder, the wrapper kept.
    ['/vsizip/nybb.zip/nybb.shp', '/vsizip//work/here/nybb.zip/nybb.shp'],
    ['/vsigzip/../states.geojson.gz', '/vsigzip//work/states.geojson.gz'],
    ['/vsizip/{sub/a.zip}/a.tif', '/vsizip/{/work/here/sub/a.zip}/a.tif'],
    ['/vsizip/{/vsizip/{in.zip}/inner.zip}/a.tif', '/vsizip/{/vsizip/{/work/here/in.zip}/inner.zip}/a.tif'],
    // Plain paths as path.resolve makes them.
    ['dem.tif', '/work/here/dem.tif'],
    ['../x/./dem.tif', '/work/x/dem.tif'],
    ['/abs//dem.tif', '/abs/dem.tif'],
    // A brace that never closes is not guessed at.
    ['/vsizip/{a.zip/a.tif', '/vsizip/{a.zip/a.tif'],
  ];
  for (const [given, expected] of cases) assert.equal(resolveInputPath(given, '/work/here'), expected, given);
});
