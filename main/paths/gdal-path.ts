/**
 * A dataset or source path as the command line gives it, made absolute for an engine that may run
 * in another folder (or in the console, client mode) without changing what GDAL opens.
 *
 * `path.resolve` on the whole string is wrong for GDAL virtual paths: it folds the double slash of
 * `/vsizip//data/nybb.zip/nybb.shp` (an absolute archive path) into `/vsizip/data/…`, which GDAL
 * reads as the relative `data/nybb.zip` and cannot open. So a virtual path keeps its exact form,
 * and only the real file inside an archive or compression wrapper is resolved, and only when it is
 * relative. Network and memory file systems (/vsicurl/, /vsis3/, /vsimem/…) and connection strings
 * (PG:…) are not files here: they pass as they are.
 */
import { isAbsolute, resolve } from 'node:path';
import { isGdalVirtualPath } from './output-path.js';

/** Wrappers whose inner path is a file GDAL reads (or another virtual path). */
const FILE_WRAPPERS = /^\/vsi(?:zip|gzip|tar|7z|rar|subfile|sparse)\//i;

/** `path` made absolute against `cwd`, virtual paths kept exact but for a relative inner file. */
export function resolveInputPath(path: string, cwd: string = process.cwd()): string {
  if (!isGdalVirtualPath(path)) return resolve(cwd, path);
  const wrapper = FILE_WRAPPERS.exec(path);
  if (!wrapper) return path;
  const prefix = wrapper[0];
  const rest = path.slice(prefix.length);
  // `/vsizip/{/path/to/a.zip}/inner`: the braces say where the archive's own path ends.
  if (rest.startsWith('{')) {
    const close = matchingBrace(rest);
    if (close === -1) return path;
    const inner = rest.slice(1, close);
    return `${prefix}{${resolveInner(inner, cwd)}}${rest.slice(close + 1)}`;
  }
  // `/vsizip//abs/a.zip/x.shp` (absolute) or `/vsizip//vsicurl/…` (chained): exact.
  if (rest.startsWith('/') || rest === '') return path;
  // `/vsigzip/rel/a.gz`: GDAL would look in its own working folder, the command means its own.
  return `${prefix}${resolve(cwd, rest)}`;
}

function resolveInner(inner: string, cwd: string): string {
  if (isGdalVirtualPath(inner)) return resolveInputPath(inner, cwd);
  return isAbsolute(inner) ? inner : resolve(cwd, inner);
}

/** The index of the `}` that closes the `{` at 0 (braces may nest in chained paths), or -1. */
function matchingBrace(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}
