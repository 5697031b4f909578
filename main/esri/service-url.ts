/**
 * ArcGIS REST URLs, as people paste them, turned into what Tessera asks for.
 *
 * People paste a service (`…/FeatureServer`), the same with a trailing slash, a layer
 * (`…/MapServer/3`), a query URL copied from a browser (`…/FeatureServer/0/query?where=…&f=pjson`)
 * or a services-directory folder (`…/rest/services/Hydro`). The reviewed server resolved layer
 * URLs relative to the pasted one, so a missing trailing slash dropped the `FeatureServer`
 * segment; here every URL is built by appending path segments to the normalised service URL.
 */
import { TesseraError } from '../../shared/errors.js';

export type EsriServiceType = 'FeatureServer' | 'MapServer';

export type ParsedEsriUrl =
  | {
      kind: 'service';
      /** The service's URL: no query, no fragment, no trailing slash, canonical type segment. */
      serviceUrl: string;
      type: EsriServiceType;
      /** The service's name as its path says (`Hydro/Rivers`). */
      name: string;
      /** The layer the URL pointed at, if it did. */
      layerId: number | null;
    }
  | {
      kind: 'folder';
      /** The folder's URL (`…/rest/services` or `…/rest/services/Hydro`), no trailing slash. */
      folderUrl: string;
      /** The folder's name; '' for the root of the services directory. */
      name: string;
    };

const SERVICE_TYPES: Record<string, EsriServiceType> = { featureserver: 'FeatureServer', mapserver: 'MapServer' };
const OTHER_TYPES = new Set([
  'imageserver',
  'gpserver',
  'geocodeserver',
  'geometryserver',
  'networkanalysisserver',
  'sceneserver',
  'vectortileserver',
  'streamserver',
  'naserver',
  'globeserver',
  'mobileserver',
  'schematicsserver',
]);

/** Query parameters that carry secrets: refused in a pasted URL so they never reach job params. */
const SECRET_PARAMS = ['token', 'password', 'username', 'key', 'apikey', 'api_key'];

/**
 * Parses a pasted ArcGIS REST URL. Throws BAD_INPUT naming `field` when it is not an ArcGIS
 * service, layer or folder URL, when it names another kind of service, or when it carries a token.
 */
export function parseEsriUrl(raw: string, field = 'url'): ParsedEsriUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badUrl(field, `${field}: not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badUrl(field, `${field}: only http and https URLs are supported, not ${url.protocol}`);
  for (const name of url.searchParams.keys()) {
    if (SECRET_PARAMS.includes(name.toLowerCase())) {
      throw badUrl(
        field,
        `${field}: the URL carries a "${name}" parameter; save the token as a credential instead, so it never lands in job params, logs or reports`,
      );
    }
  }
  if (url.username || url.password) throw badUrl(field, `${field}: the URL carries a user name or password; save them as a credential instead`);

  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  const origin = url.origin;
  const typeAt = segments.findIndex((s) => SERVICE_TYPES[s.toLowerCase()] !== undefined);
  const servicesAt = indexOfPair(segments, 'rest', 'services');

  if (typeAt > 0) {
    const type = SERVICE_TYPES[segments[typeAt]!.toLowerCase()]!;
    const base = segments.slice(0, typeAt);
    const next = segments[typeAt + 1];
    let layerId: number | null = null;
    if (next !== undefined && /^\d+$/.test(next)) layerId = Number(next);
    const nameParts = servicesAt >= 0 ? base.slice(servicesAt + 2) : base.slice(-1);
    if (nameParts.length === 0) throw badUrl(field, `${field}: no service name before ${type} in ${raw}`);
    return { kind: 'service', serviceUrl: `${origin}/${[...base, type].map(encodeSegment).join('/')}`, type, name: nameParts.join('/'), layerId };
  }

  const other = segments.find((s) => OTHER_TYPES.has(s.toLowerCase()));
  if (other) throw badUrl(field, `${field}: ${other} services hold no feature layers; give a FeatureServer or MapServer URL`);

  if (servicesAt >= 0) {
    const folder = segments.slice(servicesAt + 2);
    if (folder.length > 1) throw badUrl(field, `${field}: ${raw} is neither a service (…/FeatureServer, …/MapServer) nor a services-directory folder`);
    return {
      kind: 'folder',
      folderUrl: `${origin}/${segments
        .slice(0, servicesAt + 2 + folder.length)
        .map(encodeSegment)
        .join('/')}`,
      name: folder[0] ?? '',
    };
  }
  throw badUrl(field, `${field}: ${raw} is not an ArcGIS REST URL (expected …/rest/services/…/FeatureServer or …/MapServer)`);
}

/** Like parseEsriUrl, but a folder is refused: a migration needs one service. */
export function parseServiceUrl(raw: string, field = 'url'): Extract<ParsedEsriUrl, { kind: 'service' }> {
  const parsed = parseEsriUrl(raw, field);
  if (parsed.kind === 'folder') throw badUrl(field, `${field}: ${raw} is a services-directory folder; pick one of its services`);
  return parsed;
}

/** `<service>/<layerId>`: appended as a path segment, never resolved relative to the service URL. */
export function layerUrl(serviceUrl: string, layerId: number): string {
  return `${stripSlash(serviceUrl)}/${layerId}`;
}

/** `<service>/<layerId>/query`. */
export function queryUrl(serviceUrl: string, layerId: number): string {
  return `${layerUrl(serviceUrl, layerId)}/query`;
}

/** The services-directory root (`…/rest/services`) of a service or folder URL, or null. */
export function servicesRoot(url: string): string | null {
  const u = new URL(url);
  const segments = u.pathname.split('/').filter((s) => s !== '');
  const at = indexOfPair(segments, 'rest', 'services');
  return at < 0 ? null : `${u.origin}/${segments.slice(0, at + 2).join('/')}`;
}

/** `…/rest/info`, where an ArcGIS server says where its token service is. */
export function restInfoUrl(url: string): string | null {
  const root = servicesRoot(url);
  return root === null ? null : `${root.slice(0, -'/services'.length)}/info`;
}

function indexOfPair(segments: readonly string[], a: string, b: string): number {
  for (let i = 0; i + 1 < segments.length; i++) if (segments[i]!.toLowerCase() === a && segments[i + 1]!.toLowerCase() === b) return i;
  return -1;
}

function encodeSegment(s: string): string {
  return encodeURIComponent(s);
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function badUrl(field: string, message: string): TesseraError {
  return new TesseraError('BAD_INPUT', message, { details: { issues: [{ field, message }] } });
}
