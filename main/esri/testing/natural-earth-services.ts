/**
 * The test fixture's data (not shipped logic): real Natural Earth and rgdal sample layers turned
 * into GeoJSON files, each with the `metadata` member Koop's file-geojson provider reads (object-id
 * field, maxRecordCount, pagination support, field types, aliases and a coded-value domain).
 *
 * Object ids have gaps (and a jump of 100,000 in the states), so a copy that counts instead of
 * reading ids, or pages by id arithmetic, is caught. Nothing is invented but object ids, a date
 * per track point (with milliseconds, one before 1970, one null) and Z from the track's elevation.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rgdalVector, worldMapGpkg } from '../../testing/real-data.js';

export interface FixtureField {
  name: string;
  type: 'Integer' | 'Double' | 'String' | 'Date';
  alias?: string;
  domain?: { type: 'codedValue'; name: string; codedValues: { name: string; code: string | number }[] };
}

export interface FixtureLayer {
  /** Its file (without .geojson) in the fixture's data folder. */
  file: string;
  name: string;
  maxRecordCount: number;
  supportsPagination: boolean;
  fields: FixtureField[];
}

/** Services by id: their layers in layer-id order (tables last, as ArcGIS numbers them). */
export type FixtureServices = Record<string, FixtureLayer[]>;

type Geojson = {
  type: 'FeatureCollection';
  features: { type: 'Feature'; properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } | null }[];
  metadata?: Record<string, unknown>;
};

function ogr(args: string[]): void {
  execFileSync('ogr2ogr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function readGeojson(path: string): Geojson {
  return JSON.parse(readFileSync(path, 'utf8')) as Geojson;
}

function fieldsOf(sample: Record<string, unknown>, overrides: Record<string, Partial<FixtureField>> = {}): FixtureField[] {
  return Object.entries(sample).map(([name, value]) => ({
    name,
    type:
      name === 'OBJECTID' || (typeof value === 'number' && Number.isInteger(value) && !/ele|area/i.test(name))
        ? 'Integer'
        : typeof value === 'number'
          ? 'Double'
          : 'String',
    ...overrides[name],
  }));
}

function write(dir: string, layer: FixtureLayer, data: Geojson, extra: Record<string, unknown> = {}): FixtureLayer {
  const doc = {
    type: data.type,
    features: data.features,
    metadata: {
      name: layer.name,
      idField: 'OBJECTID',
      maxRecordCount: layer.maxRecordCount,
      supportsPagination: layer.supportsPagination,
      fields: layer.fields,
      ...extra,
    },
  };
  writeFileSync(join(dir, `${layer.file}.geojson`), JSON.stringify(doc));
  return layer;
}

/** states_provinces with OBJECTID = 3·fid − fid mod 2 (+100,000 past fid 2000). */
function statesRaw(dir: string): Geojson {
  const raw = join(dir, 'states.raw.geojson');
  if (!existsSync(raw))
    ogr([
      '-f',
      'GeoJSON',
      raw,
      worldMapGpkg(),
      '-dialect',
      'SQLITE',
      '-sql',
      'SELECT fid*3-(fid%2) + CASE WHEN fid > 2000 THEN 100000 ELSE 0 END AS OBJECTID, * FROM states_provinces ORDER BY fid',
    ]);
  return readGeojson(raw);
}

/** The states (the first `limit` of them when given). */
function states(dir: string, file: string, limit: number | null, page: { maxRecordCount: number; supportsPagination: boolean }): FixtureLayer {
  const data = statesRaw(dir);
  if (limit !== null) data.features = data.features.slice(0, limit);
  const layer: FixtureLayer = {
    file,
    name: 'States and provinces',
    ...page,
    fields: fieldsOf(data.features[0]!.properties, {
      name: { alias: 'Province name' },
      admin: { alias: 'Country' },
      adm0_a3: { alias: 'Country code (ISO 3)' },
    }),
  };
  return write(dir, layer, data);
}

function countries(dir: string, page: { maxRecordCount: number; supportsPagination: boolean }): FixtureLayer {
  const raw = join(dir, 'countries.raw.geojson');
  ogr(['-f', 'GeoJSON', raw, worldMapGpkg(), '-dialect', 'SQLITE', '-sql', 'SELECT fid*7+11 AS OBJECTID, * FROM countries ORDER BY fid']);
  const data = readGeojson(raw);
  return write(
    dir,
    { file: 'countries', name: 'Countries', ...page, fields: fieldsOf(data.features[0]!.properties, { NAME: { alias: 'Country name' } }) },
    data,
  );
}

function borders(dir: string, page: { maxRecordCount: number; supportsPagination: boolean }): FixtureLayer {
  const raw = join(dir, 'borders.raw.geojson');
  ogr(['-f', 'GeoJSON', raw, worldMapGpkg(), '-dialect', 'SQLITE', '-sql', 'SELECT fid*5+2 AS OBJECTID, * FROM disputed_borders ORDER BY fid']);
  const data = readGeojson(raw);
  return write(dir, { file: 'borders', name: 'Disputed borders', ...page, fields: fieldsOf(data.features[0]!.properties) }, data);
}

const CAPITAL_DOMAIN: FixtureField['domain'] = {
  type: 'codedValue',
  name: 'capital_flag',
  codedValues: [
    { name: 'capital city', code: 'Y' },
    { name: 'other city', code: 'N' },
  ],
};

function citiesRaw(dir: string): Geojson {
  const raw = join(dir, 'cities.raw.geojson');
  if (!existsSync(raw))
    ogr(['-f', 'GeoJSON', raw, rgdalVector('cities.shp'), '-dialect', 'SQLITE', '-sql', 'SELECT ROWID*2+5 AS OBJECTID, * FROM cities ORDER BY ROWID']);
  return readGeojson(raw);
}

function cities(dir: string, page: { maxRecordCount: number; supportsPagination: boolean }): FixtureLayer {
  const data = citiesRaw(dir);
  return write(
    dir,
    {
      file: 'cities',
      name: 'Cities',
      ...page,
      fields: fieldsOf(data.features[0]!.properties, { CAPITAL: { alias: 'Capital?', domain: CAPITAL_DOMAIN }, POPULATION: { alias: 'Population' } }),
    },
    data,
  );
}

/** Cities grouped by country into one MultiPoint each. */
function cityClusters(dir: string, page: { maxRecordCount: number; supportsPagination: boolean }): FixtureLayer {
  const data = citiesRaw(dir);
  const byCountry = new Map<string, number[][]>();
  for (const f of data.features) {
    const key = String(f.properties.COUNTRY);
    const list = byCountry.get(key) ?? [];
    list.push(f.geometry!.coordinates as number[]);
    byCountry.set(key, list);
  }
  const features = [...byCountry.entries()].map(([country, points], i) => ({
    type: 'Feature' as const,
    properties: { OBJECTID: 1000 + i * 4, COUNTRY: country, CITIES: points.length },
    geometry: { type: 'MultiPoint', coordinates: points },
  }));
  return write(
    dir,
    { file: 'city_clusters', name: 'City clusters', ...page, fields: fieldsOf(features[0]!.properties) },
    { type: 'FeatureCollection', features },
  );
}

/** The GPX track's points with Z from their elevation and a recording time (ms precision). */
function trackPoints(dir: string, page: { maxRecordCount: number; supportsPagination: boolean }): FixtureLayer {
  const raw = join(dir, 'track.raw.geojson');
  ogr(['-f', 'GeoJSON', raw, rgdalVector('test_trk2.gpx'), 'track_points', '-select', 'ele,track_seg_point_id']);
  const data = readGeojson(raw);
  const start = Date.UTC(2005, 5, 14, 9, 30, 0, 123);
  data.features = data.features.map((f, i) => {
    const [x, y] = f.geometry!.coordinates as number[];
    const recorded = i === 3 ? null : i === 5 ? '1969-07-20T20:17:40.250Z' : new Date(start + i * 61_789).toISOString();
    return {
      ...f,
      properties: { OBJECTID: 40 + i * 3, POINT: f.properties.track_seg_point_id, ELEVATION: f.properties.ele, RECORDED: recorded },
      geometry: { type: 'Point', coordinates: [x!, y!, f.properties.ele as number] },
    };
  });
  const fields: FixtureField[] = [
    { name: 'OBJECTID', type: 'Integer' },
    { name: 'POINT', type: 'Integer' },
    { name: 'ELEVATION', type: 'Double', alias: 'Elevation (m)' },
    { name: 'RECORDED', type: 'Date', alias: 'Recorded at' },
  ];
  return write(dir, { file: 'track_points', name: 'Track points', ...page, fields }, data, { hasZ: true });
}

/** A table without geometry: the countries' codes. */
function countryCodes(dir: string, page: { maxRecordCount: number; supportsPagination: boolean }): FixtureLayer {
  const raw = join(dir, 'codes.raw.geojson');
  ogr(['-f', 'GeoJSON', raw, worldMapGpkg(), '-dialect', 'SQLITE', '-sql', 'SELECT fid*2+1 AS OBJECTID, NAME, ISO_A3, WB_A3 FROM countries ORDER BY fid']);
  const data = readGeojson(raw);
  data.features = data.features.map((f) => ({ ...f, geometry: null }));
  return write(dir, { file: 'country_codes', name: 'Country codes', ...page, fields: fieldsOf(data.features[0]!.properties) }, data);
}

/**
 * Writes every fixture layer into `dir` and returns the services:
 * - `world`: the whole states layer (paged, 1000 a page), countries (no pagination: id batches of
 *   50), disputed borders, cities (with a domain), city clusters (multipoints), track points (Z,
 *   dates) and a table.
 * - `sample`: a smaller mix for repeated runs: 301 states (paged by 60), borders without pagination
 *   (batches of 20), clusters, track points and the table.
 * - `secure`: the borders again, behind a token.
 */
export function buildNaturalEarthServices(dir: string): FixtureServices {
  mkdirSync(dir, { recursive: true });
  const statesAll = states(dir, 'states', null, { maxRecordCount: 1000, supportsPagination: true });
  const statesSample = states(dir, 'states_sample', 300, { maxRecordCount: 60, supportsPagination: true });
  const countriesLayer = countries(dir, { maxRecordCount: 50, supportsPagination: false });
  const bordersLayer = borders(dir, { maxRecordCount: 20, supportsPagination: false });
  const citiesLayer = cities(dir, { maxRecordCount: 200, supportsPagination: true });
  const clusters = cityClusters(dir, { maxRecordCount: 25, supportsPagination: true });
  const track = trackPoints(dir, { maxRecordCount: 10, supportsPagination: true });
  const codes = countryCodes(dir, { maxRecordCount: 100, supportsPagination: true });
  return {
    world: [statesAll, countriesLayer, bordersLayer, citiesLayer, clusters, track, codes],
    sample: [statesSample, bordersLayer, clusters, track, codes],
    secure: [bordersLayer],
  };
}

/** Bump when the fixture's data changes, so cached copies are rebuilt. */
const FIXTURE_VERSION = 2;

/**
 * The fixture's files, built once per machine into the temp folder (ogr2ogr over 20 MB of states
 * takes seconds) and reused by every test and benchmark after that. Built in a private folder and
 * renamed into place, so concurrent test files never see half a build.
 */
export function naturalEarthServicesCached(): { dir: string; services: FixtureServices } {
  const dir = join(tmpdir(), `tessera-esri-fixture-v${FIXTURE_VERSION}`);
  const manifest = join(dir, 'services.json');
  if (existsSync(manifest)) return { dir, services: JSON.parse(readFileSync(manifest, 'utf8')) as FixtureServices };
  const building = mkdtempSync(join(tmpdir(), 'tessera-esri-fixture-build-'));
  const services = buildNaturalEarthServices(building);
  for (const f of readdirSync(building)) if (f.endsWith('.raw.geojson')) rmSync(join(building, f));
  writeFileSync(join(building, 'services.json'), JSON.stringify(services));
  try {
    renameSync(building, dir);
  } catch {
    // Another process finished first: use its copy.
    rmSync(building, { recursive: true, force: true });
  }
  return { dir, services: JSON.parse(readFileSync(manifest, 'utf8')) as FixtureServices };
}
