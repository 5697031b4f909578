/**
 * The built renderer's files, as the headless host serves them: index.html for every page route
 * (a 503 page while the renderer is not built), assets by name, confined to the renderer directory
 * by real path so a symlink inside the build cannot lead out of it.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { HostLogger } from './headless-host.js';
import { cacheControlFor, contentTypeFor, isInside, resolveStaticPath } from './http-security.js';
import { noSuchFile, notBuiltPage, sendHtml } from './http-responses.js';

/** Serves `rendererDir` (an absolute path) to GET and HEAD requests. */
export function createStaticFiles(rendererDir: string, log: HostLogger): (res: http.ServerResponse, rawPath: string, method: string) => Promise<void> {
  return async (res, rawPath, method) => {
    const target = resolveStaticPath(rawPath);
    if (target.kind === 'refused') {
      log.debug('headless host: refused static path', { path: rawPath.slice(0, 200), reason: target.reason });
      return noSuchFile(res, rawPath);
    }
    const segments = target.kind === 'page' ? ['index.html'] : target.segments;
    const file = path.join(rendererDir, ...segments);
    let root: string;
    let real: string;
    let size: number;
    try {
      // Confine by real path as well, so a symlink inside the build cannot lead out of it.
      root = await realpath(rendererDir);
      real = await realpath(file);
      const info = await stat(real);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      size = info.size;
    } catch {
      if (target.kind === 'page') return sendHtml(res, 503, notBuiltPage());
      return noSuchFile(res, rawPath);
    }
    if (!isInside(root, real)) return noSuchFile(res, rawPath);

    res.writeHead(200, { 'Content-Type': contentTypeFor(real), 'Content-Length': size, 'Cache-Control': cacheControlFor(segments) });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(real), res);
  };
}
