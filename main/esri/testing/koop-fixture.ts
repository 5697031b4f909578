/**
 * A real ArcGIS REST server on loopback for tests and benchmarks (not shipped logic): Koop's
 * FeatureServer (@koopjs/koop-core) serving the Natural Earth fixture files through the
 * file-geojson provider, with what Koop lacks added in front of it, as the issue asks:
 *
 * - pages capped at each layer's maxRecordCount with exceededTransferLimit set (Koop returns every
 *   feature when a query asks for more than maxRecordCount, or for no count at all);
 * - a layer without pagination answers resultOffset with an Esri error, like ArcGIS does;
 * - MapServer paths (aliases of the FeatureServer ones), an `/arcgis/rest/services` directory
 *   with a folder, and token security on the `secure` service (rest/info + generateToken);
 * - a log of every request (path, parameters with the token masked, raw URL) so tests can count
 *   pages fetched and prove that no token ever travels in a URL.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FixtureLayer, FixtureServices } from './natural-earth-services.js';

const require = createRequire(import.meta.url);

/** The folder the directory lists the services under. */
export const FIXTURE_FOLDER = 'Natural_Earth';
export const FIXTURE_USER = { username: 'gis-operator', password: 'correct horse battery staple' };
/** The secured service. */
export const SECURE_SERVICE = 'secure';

export interface LoggedRequest {
  at: number;
  method: string;
  /** The raw URL as received (a token here would be a leak). */
  url: string;
  /** Path after the /file-geojson prefix rewrite (…/rest/services/world/FeatureServer/0/query). */
  path: string;
  service: string | null;
  layer: number | null;
  operation: 'service' | 'layer' | 'query' | 'count' | 'ids' | 'info' | 'token' | 'directory' | 'other';
  /** Body and query parameters; the token's value replaced by "<token>". */
  params: Record<string, string>;
  /** Whether the request carried a token (in its body or query). */
  hadToken: boolean;
}

export interface KoopFixture {
  /** e.g. http://127.0.0.1:PORT */
  origin: string;
  port: number;
  /** `…/arcgis/rest/services/Natural_Earth/<service>/FeatureServer` */
  serviceUrl(service: string, type?: 'FeatureServer' | 'MapServer'): string;
  /** Koop's own path for the same service (`/file-geojson/rest/services/<service>/FeatureServer`). */
  koopServiceUrl(service: string): string;
  folderUrl: string;
  services: FixtureServices;
  log: LoggedRequest[];
  /** Tokens issued by generateToken (and the static one), all valid. */
  tokens: Set<string>;
  /** A valid token, as an operator would paste one. */
  staticToken: string;
  close(): Promise<void>;
}

interface ExpressLike {
  (req: IncomingMessage, res: ServerResponse): void;
  use(...handlers: unknown[]): ExpressLike;
  all(path: string | RegExp, ...handlers: unknown[]): ExpressLike;
  listen(port: number, host: string): Server;
}

interface Req extends IncomingMessage {
  url: string;
  originalUrl: string;
  path: string;
  body: Record<string, unknown>;
  query: Record<string, unknown>;
  params: Record<string, string>;
}

interface Res extends ServerResponse {
  status(code: number): Res;
  json(body: unknown): void;
}

const SILENT_LOGGER = { debug() {}, info() {}, warn() {}, error() {}, silly() {}, verbose() {} };

export async function startKoopFixture(dataDir: string, services: FixtureServices): Promise<KoopFixture> {
  // Koop reads node-config from the working directory; there is none, and that is fine.
  process.env.SUPPRESS_NO_CONFIG_WARNING = '1';
  const Koop = require('@koopjs/koop-core') as new (
    options: Record<string, unknown>,
  ) => { server: ExpressLike; register(plugin: unknown, options?: unknown): void };
  const fileGeojson = require('@koopjs/provider-file-geojson') as {
    Model: new (koop: unknown, options: Record<string, unknown>) => { getData(req: unknown, callback: (error: unknown, data?: unknown) => void): void };
    version: string;
  };
  const express = require('express') as (() => ExpressLike) & { urlencoded(o: object): unknown; json(o: object): unknown };

  const tokens = new Set<string>();
  const staticToken = `static-${randomBytes(18).toString('hex')}`;
  tokens.add(staticToken);
  const log: LoggedRequest[] = [];
  const parsed = new Map<string, { type: string; features: unknown[]; metadata: Record<string, unknown> }>();

  // The file-geojson provider resolves its data folder against the working directory.
  const providerDir = relative(process.cwd(), dataDir) || '.';

  class FixtureModel {
    private readonly files: InstanceType<typeof fileGeojson.Model>;
    constructor(koop: unknown) {
      this.files = new fileGeojson.Model(koop, { dataDir: providerDir });
    }

    /** One layer's GeoJSON (parsed once: the states file is 20 MB), or the service's layer list. */
    async getData(req: { params: { id?: string; layer?: string } }): Promise<unknown> {
      const layers = services[req.params.id ?? ''];
      if (!layers) throw Object.assign(new Error(`Service ${req.params.id ?? ''} not found`), { code: 404 });
      const load = async (layer: FixtureLayer) => {
        let data = parsed.get(layer.file);
        if (!data) {
          data = await new Promise<{ type: string; features: unknown[]; metadata: Record<string, unknown> }>((resolve, reject) =>
            this.files.getData({ params: { id: layer.file } }, (error, value) =>
              error ? reject(error) : resolve(value as { type: string; features: unknown[]; metadata: Record<string, unknown> }),
            ),
          );
          parsed.set(layer.file, data);
        }
        // Koop writes into metadata (exceededTransferLimit): each request gets its own copy.
        return { type: data.type, features: data.features, metadata: { ...data.metadata } };
      };
      if (req.params.layer === undefined || req.params.layer === 'layers') {
        const all = await Promise.all(layers.map(load));
        return {
          layers: all.filter((l) => l.metadata.geometryType),
          tables: all.filter((l) => !l.metadata.geometryType),
          metadata: { name: req.params.id, maxRecordCount: 1000 },
        };
      }
      const layer = layers[Number(req.params.layer)];
      if (!/^\d+$/.test(req.params.layer) || !layer)
        throw Object.assign(new Error('Invalid or missing input parameters.'), { code: 400, details: [`Layer ${req.params.layer} does not exist`] });
      return load(layer);
    }
  }

  const auth = {
    type: 'auth',
    name: 'fixture-token-auth',
    version: '1.0.0',
    async authenticate(req: Req) {
      const p = { ...req.query, ...req.body } as Record<string, unknown>;
      if (p.username !== FIXTURE_USER.username || p.password !== FIXTURE_USER.password)
        throw Object.assign(new Error('Invalid username or password.'), { code: 401 });
      const token = `issued-${randomBytes(18).toString('hex')}`;
      tokens.add(token);
      return { token, expires: Date.now() + 60 * 60_000, ssl: false };
    },
    async authorize(req: Req) {
      if (req.params?.id !== SECURE_SERVICE) return;
      const header = req.headers.authorization?.replace(/^Bearer /, '');
      const token = header ?? (req.query?.token as string | undefined) ?? (req.body?.token as string | undefined);
      if (!token || !tokens.has(token)) throw Object.assign(new Error('Unauthorized'), { code: 401 });
    },
  };

  // The token service's URL in rest/info: http, like the fixture itself (Koop assumes https).
  process.env.GEOSERVICES_HTTP = 'true';
  const koop = new Koop({ logger: SILENT_LOGGER, logLevel: 'error', disableCors: true });
  koop.register(auth);
  koop.register({ type: 'provider', name: 'file-geojson', hosts: false, disableIdParam: false, Model: FixtureModel, version: fileGeojson.version });

  const app = express();
  app.use(express.urlencoded({ extended: false, limit: '20mb' }));
  app.use(express.json({ limit: '20mb' }));

  // The services directory: a root listing one folder, the folder listing each service twice.
  const directory = (res: Res, folder: string | null) => {
    if (folder === null) return res.json({ currentVersion: 11.2, folders: [FIXTURE_FOLDER], services: [] });
    if (folder !== FIXTURE_FOLDER) return res.status(200).json({ error: { code: 404, message: 'Folder not found', details: [] } });
    return res.json({
      currentVersion: 11.2,
      folders: [],
      services: Object.keys(services).flatMap((s) => [
        { name: `${FIXTURE_FOLDER}/${s}`, type: 'FeatureServer' },
        { name: `${FIXTURE_FOLDER}/${s}`, type: 'MapServer' },
      ]),
    });
  };

  app.use((req: Req, res: Res, next: () => void) => {
    const raw = req.originalUrl;
    const bare = raw.split('?')[0]!;
    let path = bare;
    // /arcgis/rest/… → Koop's /file-geojson/rest/…; MapServer → FeatureServer.
    const arcgis = /^\/arcgis\/rest(\/.*)?$/i.exec(bare);
    if (arcgis) {
      const rest = arcgis[1] ?? '';
      const dir = /^\/services\/?$/i.exec(rest);
      const folder = /^\/services\/([^/]+)\/?$/i.exec(rest);
      if (dir) {
        record(req, bare, 'directory');
        return directory(res, null);
      }
      if (folder) {
        record(req, bare, 'directory');
        return directory(res, decodeURIComponent(folder[1]!));
      }
      const service = /^\/services\/([^/]+)\/([^/]+)\/(FeatureServer|MapServer)(\/.*)?$/i.exec(rest);
      if (service) path = `/file-geojson/rest/services/${service[2]}/FeatureServer${service[4] ?? ''}`;
      else path = `/file-geojson/rest${rest}`;
    }
    path = path.replace(/\/MapServer(\/|$)/i, '/FeatureServer$1');
    const query = raw.includes('?') ? raw.slice(raw.indexOf('?')) : '';
    req.url = `${path}${query}`;
    const entry = record(req, path, null);
    const layer = entry.service && entry.layer !== null ? services[entry.service]?.[entry.layer] : undefined;
    if (entry.operation === 'query' && layer && !capPage(req, res, layer)) return;
    if (entry.operation === 'layer' && layer && !layer.supportsPagination) {
      // Koop drops a false supportsPagination from its metadata (lodash pickBy): say it here.
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        const b = body as { advancedQueryCapabilities?: Record<string, unknown> };
        if (b && typeof b === 'object' && b.advancedQueryCapabilities) b.advancedQueryCapabilities.supportsPagination = false;
        json(body);
      };
    }
    next();
  });

  function record(req: Req, path: string, operation: LoggedRequest['operation'] | null): LoggedRequest {
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...(req.body ?? {}), ...(req.query ?? {}) })) merged[k] = k === 'token' ? '<token>' : String(v);
    const m = /\/rest\/services\/([^/]+)\/FeatureServer(?:\/(\d+))?(\/query)?/i.exec(path);
    const kind: LoggedRequest['operation'] =
      operation ??
      (m?.[3]
        ? merged.returnCountOnly === 'true'
          ? 'count'
          : merged.returnIdsOnly === 'true'
            ? 'ids'
            : 'query'
        : m?.[2] !== undefined
          ? 'layer'
          : m
            ? 'service'
            : /generateToken/i.test(path)
              ? 'token'
              : /\/rest\/info/i.test(path)
                ? 'info'
                : 'other');
    const entry: LoggedRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      url: req.originalUrl,
      path,
      service: m?.[1] ?? null,
      layer: m?.[2] === undefined ? null : Number(m[2]),
      operation: kind,
      params: merged,
      hadToken: 'token' in merged,
    };
    log.push(entry);
    return entry;
  }

  /** What ArcGIS does and Koop does not: cap the page, refuse offsets without pagination. */
  function capPage(req: Req, res: Res, layer: FixtureLayer): boolean {
    const body = (req.body ??= {});
    const all = { ...body, ...req.query } as Record<string, unknown>;
    if (all.resultOffset !== undefined && !layer.supportsPagination) {
      res.status(200).json({ error: { code: 400, message: 'Pagination is not supported.', details: ['resultOffset is not supported by this layer'] } });
      return false;
    }
    const asked = all.resultRecordCount === undefined ? layer.maxRecordCount : Number(all.resultRecordCount);
    delete req.query.resultRecordCount;
    body.resultRecordCount = String(Math.min(Number.isFinite(asked) && asked > 0 ? asked : layer.maxRecordCount, layer.maxRecordCount));
    return true;
  }

  app.use(koop.server);
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    serviceUrl: (service, type = 'FeatureServer') => `${origin}/arcgis/rest/services/${FIXTURE_FOLDER}/${service}/${type}`,
    koopServiceUrl: (service) => `${origin}/file-geojson/rest/services/${service}/FeatureServer`,
    folderUrl: `${origin}/arcgis/rest/services/${FIXTURE_FOLDER}`,
    services,
    log,
    tokens,
    staticToken,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The GeoJSON a fixture layer serves, for comparing a copy with its source. */
export function fixtureGeojsonPath(dataDir: string, layer: FixtureLayer): string {
  return join(dataDir, `${layer.file}.geojson`);
}

/** The object ids a fixture layer serves, ascending. */
export function fixtureIds(dataDir: string, layer: FixtureLayer): number[] {
  const doc = JSON.parse(readFileSync(fixtureGeojsonPath(dataDir, layer), 'utf8')) as { features: { properties: { OBJECTID: number } }[] };
  return doc.features.map((f) => f.properties.OBJECTID).sort((a, b) => a - b);
}
