/**
 * crs.search: EPSG coordinate reference systems by code or name, from the proj database that the
 * GDAL in this process uses (proj.db), so that a code picked here is one GDAL knows.
 *
 * GDAL-free: proj.db is a SQLite file, read here with better-sqlite3 (read-only), so a search never
 * loads GDAL on the engine's thread. Only what a layer or a raster may be assigned is offered:
 * projected and geographic 2D systems, not deprecated.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { withSqliteBinding } from '../native/sqlite-binding.js';
import type { CrsMatch } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';

const require = createRequire(import.meta.url);

/**
 * Where proj.db may be, in the order PROJ itself looks (PROJ_DATA, then the older PROJ_LIB, then
 * the distribution's folder), and last the copy gdal-async ships for its bundled build.
 */
export function projDbCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [env.PROJ_DATA, env.PROJ_LIB].flatMap((v) => (v ? v.split(delimiter).filter(Boolean) : []));
  dirs.push('/usr/share/proj', '/usr/local/share/proj');
  try {
    dirs.push(join(dirname(require.resolve('gdal-async/package.json')), 'deps', 'libproj', 'proj', 'data'));
  } catch {
    // gdal-async not installed beside this module: the system's folders are all there is.
  }
  return dirs.map((d) => join(d, 'proj.db'));
}

/** The first proj.db that exists, or null. */
export function findProjDb(env: NodeJS.ProcessEnv = process.env): string | null {
  return projDbCandidates(env).find((f) => existsSync(f)) ?? null;
}

// The systems and their first area of use. Projected before nothing: rank decides the order.
const SELECT = `
  SELECT c.code, c.name, c.kind,
    (SELECT e.name FROM usage u JOIN extent e ON e.auth_name = u.extent_auth_name AND e.code = u.extent_code
      WHERE u.object_table_name = c.tbl AND u.object_auth_name = c.auth_name AND u.object_code = c.code LIMIT 1) AS area
  FROM (
    SELECT 'geodetic_crs' AS tbl, auth_name, code, name, 'geographic' AS kind, deprecated FROM geodetic_crs WHERE type = 'geographic 2D'
    UNION ALL
    SELECT 'projected_crs', auth_name, code, name, 'projected', deprecated FROM projected_crs
  ) c
  WHERE c.auth_name = 'EPSG' AND c.deprecated = 0 AND`;

interface Row {
  code: string;
  name: string;
  kind: 'projected' | 'geographic';
  area: string | null;
}

/** A search over one proj.db, its connection opened once and kept (the file never changes under a running GDAL). */
export class CrsSearch {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file, withSqliteBinding({ readonly: true, fileMustExist: true }));
  }

  /**
   * `4326`, `EPSG:4326` or `epsg 2263`: codes that start with the digits, the exact code first.
   * Anything else: systems whose name holds every word ("wgs 84", "long island ftus"), an exact
   * name first, then names that start with the text, shorter names before longer.
   */
  search(query: string, limit = 20): CrsMatch[] {
    const text = query.trim();
    const digits = /^(?:epsg\s*:?\s*)?(\d{1,6})$/i.exec(text)?.[1];
    let rows: Row[];
    if (digits !== undefined) {
      rows = this.db
        .prepare(`${SELECT} c.code LIKE @prefix || '%' ORDER BY c.code <> @code, length(c.code), CAST(c.code AS INTEGER) LIMIT @limit`)
        .all({ prefix: digits, code: digits, limit }) as Row[];
    } else {
      const words = text
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w !== '')
        .slice(0, 8);
      if (words.length === 0) return [];
      const where = words.map((_, i) => `instr(lower(c.name), @w${i}) > 0`).join(' AND ');
      const params: Record<string, string | number> = { text: text.toLowerCase(), limit };
      words.forEach((w, i) => {
        params[`w${i}`] = w;
      });
      rows = this.db
        .prepare(
          `${SELECT} ${where} ORDER BY lower(c.name) <> @text, substr(lower(c.name), 1, length(@text)) <> @text, length(c.name), CAST(c.code AS INTEGER) LIMIT @limit`,
        )
        .all(params) as Row[];
    }
    return rows.map((r) => ({ code: `EPSG:${r.code}`, name: r.name, area: r.area, kind: r.kind }));
  }

  close(): void {
    this.db.close();
  }
}

let shared: CrsSearch | null = null;

/** crs.search's handler: the proj database found once per process; NOT_FOUND naming the folders looked in when there is none. */
export function searchCrs(input: { query: string; limit: number }): CrsMatch[] {
  if (shared === null) {
    const file = findProjDb();
    if (file === null)
      throw new TesseraError('NOT_FOUND', `the proj database (proj.db) is not installed; looked in ${projDbCandidates().join(', ')}`, {
        details: { looked: projDbCandidates() },
      });
    shared = new CrsSearch(file);
  }
  return shared.search(input.query, input.limit);
}
