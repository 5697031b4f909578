/**
 * crs.search over the real proj database GDAL uses: by code (with or without "EPSG:"), by name
 * words, limited, only systems a layer may be assigned; and every code it offers is one GDAL reads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import gdal from 'gdal-async';
import { CrsSearch, findProjDb, projDbCandidates, searchCrs } from './crs-search.js';

const file = findProjDb();

test('the proj database is found (PROJ_DATA first, then the system’s folder)', () => {
  assert.ok(file, `no proj.db in ${projDbCandidates().join(', ')}`);
  const env = { PROJ_DATA: '/nowhere/a:/nowhere/b' } as NodeJS.ProcessEnv;
  assert.deepEqual(projDbCandidates(env).slice(0, 2), ['/nowhere/a/proj.db', '/nowhere/b/proj.db']);
  assert.equal(findProjDb({ PROJ_DATA: mkdtempSync(join(tmpdir(), 'no-proj-')) } as NodeJS.ProcessEnv), file, 'an empty PROJ_DATA falls back');
});

test('a code finds its system first, in any of the ways people type it', () => {
  const search = new CrsSearch(file!);
  try {
    for (const query of ['4326', 'EPSG:4326', 'epsg 4326', ' EPSG4326 ']) {
      const [first] = search.search(query, 5);
      assert.deepEqual(first, { code: 'EPSG:4326', name: 'WGS 84', area: 'World', kind: 'geographic' }, query);
    }
    const [ny] = search.search('2263', 5);
    assert.equal(ny!.code, 'EPSG:2263');
    assert.equal(ny!.kind, 'projected');
    assert.match(ny!.name, /New York Long Island \(ftUS\)/);
    assert.match(ny!.area!, /Long Island/);
    // A prefix: codes that start with the digits, shortest first.
    const prefix = search.search('2770', 10);
    assert.ok(prefix.length > 1);
    assert.ok(prefix.every((m) => m.code.startsWith('EPSG:2770')));
  } finally {
    search.close();
  }
});

test('name words match in any order and case, the exact name first; the limit holds', () => {
  const search = new CrsSearch(file!);
  try {
    const wgs = search.search('WGS 84', 20);
    assert.equal(wgs[0]!.code, 'EPSG:4326', 'the exact name first');
    assert.ok(wgs.length === 20, 'limited to 20');
    assert.ok(wgs.every((m) => /wgs/i.test(m.name) && /84/.test(m.name)));
    const island = search.search('island long ftus', 10);
    assert.ok(
      island.some((m) => m.code === 'EPSG:2263'),
      JSON.stringify(island),
    );
    assert.deepEqual(search.search('no such system anywhere', 10), []);
    // Deprecated systems and 3D or geocentric ones are not offered: 4979 is WGS 84 3D, 4978 geocentric.
    assert.deepEqual(search.search('4979', 5), []);
    assert.deepEqual(search.search('4978', 5), []);
    // SQL's wildcards are text here, not patterns (no name holds a %; some hold a _).
    assert.deepEqual(search.search('%', 5), []);
    assert.ok(search.search('_', 5).every((m) => m.name.includes('_')));
  } finally {
    search.close();
  }
});

test('every code offered is one GDAL reads', () => {
  const offered = [...searchCrs({ query: 'british national grid', limit: 5 }), ...searchCrs({ query: '32618', limit: 3 })];
  assert.ok(offered.length >= 2);
  for (const m of offered) {
    const srs = gdal.SpatialReference.fromUserInput(m.code);
    assert.equal(srs.getAuthorityCode(null), m.code.slice('EPSG:'.length), m.code);
  }
});
