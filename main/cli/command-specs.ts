/**
 * Every `tessera` command as data: its arguments, its options (what each does and its default) and
 * examples. One table drives both the per-command help and the check that an option belongs to the
 * command it was given to, so the help cannot list an option the command ignores, or miss one.
 *
 * The help is rendered by commander (the parser, command-line.ts) from a Command built per spec;
 * the defaults are written into the descriptions rather than given to commander as default values,
 * so that parsing leaves an option absent when it was not typed and the job's params (and the
 * --json documents) stay as they were.
 */
import { Command, Option } from 'commander';
// The names and defaults alone: the help and the option checks load no zod schema.
import { JOB_KIND_NAMES as JOB_KINDS } from '../../shared/kinds/kind-names.js';
import { PNG_ADAPTIVE_FILTERING_DEFAULT, PNG_COMPRESSION_DEFAULT } from '../../shared/kinds/png-defaults.js';
import type { OptionValues } from './command-line.js';
import { PLANS_COMMAND_SPECS } from './plans-command-specs.js';
import { STAC_COMMAND_SPECS } from './stac-command-specs.js';
import { CACHE_COMMANDS } from './cache-command-specs.js';
import { QUEUE_OPTION, SPILL_DIR_OPTION, WORKER_COMMANDS } from './worker-command-specs.js';

type OptionName = keyof OptionValues;

export interface OptionSpec {
  name: OptionName;
  /** The value's placeholder (`MIN-MAX`); a switch when absent. */
  value?: string;
  description: string;
  /** What applies when the option is not given, as the user reads it. */
  default?: string;
  /** May be given more than once. */
  repeatable?: boolean;
  required?: boolean;
}

export interface CommandSpec {
  /** `['preseed', 'raster']`. */
  path: readonly string[];
  aliases?: readonly string[];
  /** `<dataset...>`, `[id]`: commander's argument syntax. */
  args?: readonly string[];
  summary: string;
  /** Longer text under the usage line; `summary` when absent. */
  description?: string;
  options: readonly OptionSpec[];
  examples: readonly string[];
}

/** --data-dir, --json and --help: every command takes them. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'data-dir',
    value: 'DIR',
    description: 'the data directory: job store, catalogue, settings',
    default: 'TESSERA_DATA_DIR, else the per-user app data folder',
  },
  { name: 'json', description: 'print one JSON document on stdout instead of text; progress and logs stay on stderr' },
  { name: 'help', description: "this command's help" },
];

/** Options of `tessera` alone, before any command: --version. */
export const TOP_LEVEL_OPTIONS: readonly OptionSpec[] = [{ name: 'version', description: "print tessera's version and exit" }];

const zoomFrom = (what: string): OptionSpec[] => [
  { name: 'min-zoom', value: 'N', description: `the lowest zoom level to ${what}`, default: "the cache's lowest" },
  { name: 'max-zoom', value: 'N', description: `the highest zoom level to ${what}`, default: "the cache's highest" },
];

/** --limit and --cursor of a listing of `rows`. */
const paging = (rows: string): OptionSpec[] => [
  { name: 'limit', value: 'N', description: `${rows} per page`, default: '50' },
  { name: 'cursor', value: 'C', description: 'the next page, as printed after "more:"' },
];

const preseedCommon = (input: string): OptionSpec[] => [
  { name: 'zoom', value: 'MIN-MAX', description: 'the zoom levels to make, e.g. 0-8, or one level (5)', required: true },
  { name: 'output', value: 'OUT', description: 'OUT.mbtiles, OUT.pmtiles, or any other path for a z/x/y tile directory, made if missing', required: true },
  { name: 'bbox', value: 'W,S,E,N', description: 'only tiles inside this WGS84 box, in degrees; west may be negative', default: `each ${input}'s own extent` },
  { name: 'coverage', value: 'FILE', description: 'only tiles touching the polygons of this file: GeoJSON or any OGR source, any CRS', default: 'none' },
  {
    name: 'mode',
    value: 'MODE',
    description: 'tiles the output already holds: resume keeps them, overwrite makes all again, refresh makes those older than --older-than again',
    default: 'resume',
  },
  { name: 'older-than', value: 'TIME', description: 'with --mode refresh: a date (2024-05-01) or ISO date-time' },
  { name: 'title', value: 'T', description: "the tileset's name in the output's metadata", default: "the output's file name" },
  { name: 'dry-run', description: 'count the tiles and estimate size, time and free space; make nothing' },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    path: ['serve'],
    summary: 'start the headless console (browser UI and API) and print its URL',
    description:
      'Start the headless console on this data directory and print its URL; Ctrl-C stops it. On loopback, other tessera commands on the same data directory run through it meanwhile (its address and token in engine.connection.json, readable by this user only). Beyond loopback (--host 0.0.0.0) every path a request names must lie in a data root (Settings), and other commands get DATA_DIR_LOCKED.',
    options: [
      { name: 'port', value: 'N', description: 'the TCP port; 0 picks a free one', default: '7340' },
      { name: 'host', value: 'ADDR', description: 'the address to listen on: an IP address or a host name', default: '127.0.0.1' },
      {
        name: 'allowed-host',
        value: 'NAME',
        description: 'a Host header to accept besides the listening address, e.g. behind a proxy',
        repeatable: true,
        default: 'none',
      },
      {
        name: 'plans',
        value: 'DIR',
        description: 'a folder of plan files to keep reconciled and on schedule while the console runs (watched, and polled every 30 s)',
        repeatable: true,
        default: 'none',
      },
      {
        name: 'stac-publish',
        value: 'URL',
        description:
          'a STAC API with the Transactions extension to keep up to date with what Tessera holds while the console runs (this run only; Settings keep one); its bearer token from --token-env',
        default: 'the setting, if any',
      },
      { name: 'token-env', value: 'VAR', description: "with --stac-publish: the environment variable holding the STAC API's bearer token", default: 'none' },
      {
        name: 'token-file',
        value: 'FILE',
        description:
          "this console's own token, the same at every launch: read from FILE (at least 16 characters), or a random one written there (0600) if it does not exist. Give it to another machine that publishes here (its --token-env); the printed URL then leaves the token out",
        default: 'a new token at every launch',
      },
      QUEUE_OPTION,
      SPILL_DIR_OPTION,
    ],
    examples: [
      'tessera serve',
      'tessera serve --port 0 --json',
      'tessera serve --plans ./plans',
      'tessera serve --stac-publish https://stac.example.org/ --token-env STAC_TOKEN',
      'tessera serve --token-file ~/.config/tessera/serve.token',
    ],
  },
  {
    path: ['verify'],
    args: ['<cache>'],
    summary: 'decode every tile of an MBTiles, PMTiles or tile directory',
    description:
      'Decode every tile of a cache (MBTiles, PMTiles or a z/x/y directory) and report the corrupt, empty and oversized ones. Exit 3 when some tiles are bad.',
    options: [
      ...zoomFrom('check'),
      { name: 'max-tile-bytes', value: 'N', description: 'report tiles larger than this many bytes as oversized', default: '512000 (500 KiB)' },
      QUEUE_OPTION,
    ],
    examples: ['tessera verify world.mbtiles', 'tessera verify tiles/ --min-zoom 10 --max-zoom 12 --json'],
  },
  {
    path: ['preseed'],
    summary: 'make a tile cache from rasters (raster) or vector sources (vector)',
    options: [],
    examples: ['tessera preseed raster bluemarble.tif --zoom 0-6 -o bluemarble.mbtiles', 'tessera preseed vector states.gpkg --zoom 0-7 -o states.pmtiles'],
  },
  {
    path: ['preseed', 'raster'],
    args: ['<dataset...>'],
    summary: 'render GDAL rasters (any CRS) into PNG, JPEG or WebP tiles',
    description: 'Render GDAL rasters (any CRS) into PNG, JPEG or WebP web-mercator tiles, one item per dataset.',
    options: [
      ...preseedCommon('dataset'),
      { name: 'tile-size', value: '256|512', description: 'tile width and height in pixels', default: '256' },
      { name: 'format', value: 'png|jpeg|webp', description: 'the tile image format; jpg means jpeg', default: 'png' },
      { name: 'quality', value: 'N', description: 'JPEG and WebP quality, 1-100; PNG ignores it', default: '85' },
      { name: 'png-palette', description: 'PNG only: quantise to at most 256 colours, for much smaller files', default: 'off' },
      {
        name: 'png-compression',
        value: '0-9',
        description: 'PNG only: zlib level, 0 (none, fastest) to 9 (smallest)',
        default: String(PNG_COMPRESSION_DEFAULT),
      },
      {
        name: 'png-filter',
        value: 'adaptive|none',
        description: 'PNG only: row filters chosen per row (smaller, slower to encode) or none',
        default: PNG_ADAPTIVE_FILTERING_DEFAULT ? 'adaptive' : 'none',
      },
      { name: 'resampling', value: 'METHOD', description: 'nearest, bilinear, cubic, lanczos or average', default: 'average' },
      {
        name: 'scale',
        value: 'auto|MIN,MAX',
        description: "how 16-bit and float bands become 8-bit: auto stretches each band's min-max, MIN,MAX that range",
        default: 'auto',
      },
      QUEUE_OPTION,
    ],
    examples: [
      'tessera preseed raster bluemarble.tif --zoom 0-6 -o bluemarble.mbtiles',
      'tessera preseed raster dem.tif --zoom 8-12 --bbox -10.5,51.2,-5.4,55.5 --format webp --scale -100,1000 -o ireland/ --dry-run',
    ],
  },
  {
    path: ['preseed', 'vector'],
    args: ['<source...>'],
    summary: 'cut OGR sources (any CRS) into Mapbox Vector Tiles',
    description: 'Cut OGR sources (GeoPackage, Shapefile, GeoJSON…, any CRS) into Mapbox Vector Tiles, one item per source.',
    options: [
      ...preseedCommon('source'),
      {
        name: 'layer',
        value: 'NAME[:MINZ-MAXZ]',
        description: 'a source layer to tile, optionally only at those zooms',
        repeatable: true,
        default: 'every layer of every source',
      },
      { name: 'attributes', value: 'a,b', description: 'the attributes to keep, comma-separated', default: 'all' },
      { name: 'max-tile-bytes', value: 'N', description: 'report tiles larger than this many bytes, encoded, before gzip', default: '512000 (500 KiB)' },
      { name: 'thin', description: 'drop features from oversized tiles until they fit', default: 'off' },
      { name: 'crs', value: 'CRS', description: 'the CRS of layers that name none (a .shp without .prj)', default: 'none: they fail NO_GEOREFERENCE' },
      QUEUE_OPTION,
      SPILL_DIR_OPTION,
    ],
    examples: [
      'tessera preseed vector states.gpkg --zoom 0-7 --layer states_provinces --attributes name,iso_a2 -o states.pmtiles',
      'tessera preseed vector roads.shp --zoom 6-14 --bbox -74.3,40.5,-73.7,40.9 --thin -o nyc-roads.mbtiles',
      'tessera preseed vector parcels.shp --crs EPSG:2263 --zoom 12-16 -o parcels.pmtiles',
    ],
  },
  {
    path: ['ingest'],
    args: ['<file...>'],
    summary: 'add files (GeoPackage, Shapefile, GeoJSON, GeoTIFF, ZIP…) to the catalogue',
    description:
      'Add files to the catalogue: GeoPackage, Shapefile, GeoJSON, KML, CSV, GeoTIFF, ZIP of these… One item per file and one per layer inside it. Exit 3 when some files or layers could not be read.',
    options: [
      {
        name: 'crs',
        value: 'CRS',
        description: 'the CRS of sources that name none, such as a Shapefile without .prj: EPSG:N or any definition GDAL reads',
        default: 'none; GeoJSON, KML and GPX are WGS84, a CSV lon/lat',
      },
      { name: 'target-crs', value: 'CRS', description: 'reproject vector layers to this CRS on import', default: 'each layer keeps its own' },
      {
        name: 'quota',
        value: 'BYTES',
        description: 'bytes this job may stage and import: 1048576, 512K, 500M, 2G (powers of 1024)',
        default: 'the ingest job quota in Settings',
      },
      {
        name: 'wait-analysis',
        description:
          'after the import, wait until the new datasets’ invalid geometries are counted and their previews drawn. Without it the command ends with the import; what is not done yet is done by the next Tessera that opens the data directory (tessera serve, any job), and tessera catalog show ID says when it is',
        default: 'off',
      },
    ],
    examples: [
      'tessera ingest states.gpkg rivers.zip',
      'tessera ingest coastline.geojson --wait-analysis',
      'tessera ingest parcels.shp --crs EPSG:2263 --target-crs EPSG:4326 --quota 2G',
    ],
  },
  {
    path: ['migrate'],
    summary: 'copy layers from another server into the catalogue (esri)',
    options: [],
    examples: ['tessera migrate esri https://example.com/arcgis/rest/services/Parcels/FeatureServer -o parcels'],
  },
  {
    path: ['migrate', 'esri'],
    args: ['<url>'],
    summary: 'copy ArcGIS FeatureServer/MapServer layers into the catalogue',
    description:
      'Copy the layers and tables of an ArcGIS FeatureServer or MapServer into one GeoPackage in the catalogue, ' +
      'checked against the server by count and by id. A token may come from TESSERA_ESRI_TOKEN, a password ' +
      'only from TESSERA_ESRI_PASSWORD; either is kept in the credential store, never in the job.',
    options: [
      { name: 'output', value: 'NAME', description: "the dataset's name in the catalogue", required: true },
      { name: 'layers', value: '0,2', description: 'the layer and table ids to copy', default: 'every layer and table' },
      { name: 'where', value: 'SQL', description: 'only features matching this where clause', default: 'all features' },
      { name: 'token', value: 'T', description: 'an ArcGIS token; other local users can see it in the process list', default: 'TESSERA_ESRI_TOKEN' },
      { name: 'username', value: 'U', description: 'sign in as this user, with the password in TESSERA_ESRI_PASSWORD' },
    ],
    examples: [
      'tessera migrate esri https://example.com/arcgis/rest/services/Parcels/FeatureServer -o parcels',
      'tessera migrate esri https://example.com/arcgis/rest/services/Roads/MapServer --layers 0,2 --where "TYPE = \'HWY\'" -o roads',
    ],
  },
  {
    path: ['catalog'],
    summary: 'list, show and delete the datasets of the catalogue',
    options: [],
    examples: ['tessera catalog list --kind vector', 'tessera catalog show 3'],
  },
  {
    path: ['catalog', 'list'],
    summary: 'the datasets of the catalogue, newest first',
    options: [
      { name: 'kind', value: 'vector|raster', description: 'only datasets of this kind', default: 'both' },
      { name: 'text', value: 'T', description: 'only datasets whose name or file contains this text' },
      ...paging('datasets'),
    ],
    examples: ['tessera catalog list', 'tessera catalog list --kind raster --text dem --json'],
  },
  {
    path: ['catalog', 'show'],
    args: ['<id>'],
    summary: 'a dataset: layers, CRS, extent, counts, size, source',
    options: [],
    examples: ['tessera catalog show 3', 'tessera catalog show 3 --json'],
  },
  {
    path: ['catalog', 'delete'],
    args: ['<id...>'],
    summary: 'delete datasets and their files',
    description: 'Delete datasets and their files. An id that does not exist refuses the whole command (exit 2) before anything is deleted.',
    options: [],
    examples: ['tessera catalog delete 3', 'tessera catalog delete 3 4 7'],
  },
  ...PLANS_COMMAND_SPECS,
  ...CACHE_COMMANDS,
  ...STAC_COMMAND_SPECS,
  ...WORKER_COMMANDS,
  {
    path: ['jobs'],
    summary: 'list, show, cancel, retry and report jobs',
    options: [],
    examples: ['tessera jobs list --state failed', 'tessera jobs retry 12'],
  },
  {
    path: ['jobs', 'list'],
    summary: 'jobs, newest first',
    options: [
      {
        name: 'state',
        value: 'S',
        description: 'only jobs in this state: queued, running, succeeded, partial, failed, cancelled, interrupted',
        repeatable: true,
        default: 'all',
      },
      { name: 'kind', value: 'K', description: `only jobs of this kind: ${JOB_KINDS.join(', ')}`, repeatable: true, default: 'all' },
      {
        name: 'text',
        value: 'T',
        description: 'only jobs whose name, params or errors contain this text; one or two characters: names that start with them',
      },
      { name: 'from', value: 'ISO', description: 'only jobs created at or after this time, e.g. 2024-05-01T00:00:00Z' },
      { name: 'to', value: 'ISO', description: 'only jobs created before this time' },
      ...paging('jobs'),
    ],
    examples: ['tessera jobs list', 'tessera jobs list --state failed --state partial --kind ingest --json'],
  },
  {
    path: ['jobs', 'show'],
    args: ['<id>'],
    summary: 'a job, its items and its recent events',
    options: [],
    examples: ['tessera jobs show 12', 'tessera jobs show 12 --json'],
  },
  {
    path: ['jobs', 'cancel'],
    args: ['<id...>'],
    summary: 'cancel queued or interrupted jobs',
    description: 'Cancel queued or interrupted jobs. A job running in another tessera is cancelled there with Ctrl-C.',
    options: [],
    examples: ['tessera jobs cancel 12', 'tessera jobs cancel 12 13'],
  },
  {
    path: ['jobs', 'retry'],
    aliases: ['resume'],
    args: ['<id...>'],
    summary: 're-run what did not succeed and wait for the end',
    description:
      'Re-run the items of failed, partial, cancelled or interrupted jobs that did not succeed, one job after the other, and wait for each to end. Tiles already made are kept.',
    options: [QUEUE_OPTION, SPILL_DIR_OPTION],
    examples: ['tessera jobs retry 12', 'tessera jobs resume 12 13 --json'],
  },
  {
    path: ['jobs', 'report'],
    args: ['<id>'],
    summary: "export a job's report",
    options: [
      { name: 'format', value: 'json|csv|html|pdf', description: 'the report format', default: 'json' },
      { name: 'output', value: 'FILE', description: 'write the report to FILE; pdf needs it on a terminal', default: 'stdout' },
    ],
    examples: ['tessera jobs report 12 --format csv > job-12.csv', 'tessera jobs report 12 --format pdf -o job-12.pdf'],
  },
];

/** The spec `positionals` name (the longest match: `preseed raster` before `preseed`), if any. */
export function findCommand(positionals: readonly string[]): CommandSpec | undefined {
  let found: CommandSpec | undefined;
  for (const spec of COMMANDS) {
    const matches = spec.path.every((part, i) => {
      const word = positionals[i];
      return word === part || (i === spec.path.length - 1 && word !== undefined && (spec.aliases ?? []).includes(word));
    });
    if (matches && spec.path.length > (found?.path.length ?? 0)) found = spec;
  }
  return found;
}

/** `tessera preseed raster`, as typed. */
export function commandName(spec: CommandSpec): string {
  return ['tessera', ...spec.path].join(' ');
}

const flags = (o: OptionSpec) => `${o.name === 'output' ? '-o, ' : o.name === 'help' ? '-h, ' : ''}--${o.name}${o.value ? ` <${o.value}>` : ''}`;

/**
 * The refusal of an option the command does not take, or null when every option is its own. A
 * leaf command only: a group (`preseed`, `jobs`) leaves its own errors to the command code.
 */
export function foreignOption(spec: CommandSpec, values: OptionValues): string | null {
  if (isGroup(spec)) return null;
  const own = new Set<string>([...COMMON_OPTIONS, ...spec.options].map((o) => o.name));
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || own.has(name)) continue;
    const flag = name === 'output' ? '-o/--output' : `--${name}`;
    return `${commandName(spec)} takes no ${flag} option`;
  }
  return null;
}

function isGroup(spec: CommandSpec): boolean {
  return COMMANDS.some((c) => c.path.length > spec.path.length && spec.path.every((p, i) => c.path[i] === p));
}

/** The help of one command: usage, description, every option with its default, examples. */
export function commandHelp(spec: CommandSpec): string {
  const program = new Command('tessera').helpOption(false).helpCommand(false);
  let command = program;
  for (const part of spec.path) command = command.command(part).helpOption(false).helpCommand(false);
  for (const alias of spec.aliases ?? []) command.alias(alias);
  command.description(spec.description ?? `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`);
  for (const arg of spec.args ?? []) command.argument(arg);
  const subcommands = COMMANDS.filter((c) => c.path.length === spec.path.length + 1 && spec.path.every((p, i) => c.path[i] === p));
  for (const sub of subcommands) {
    const child = command.command(sub.path.at(-1)!).helpOption(false).description(sub.summary);
    for (const arg of sub.args ?? []) child.argument(arg);
    for (const alias of sub.aliases ?? []) child.alias(alias);
  }
  // Each option once, under the command; the common ones after the command's own.
  for (const o of [...spec.options, ...COMMON_OPTIONS]) {
    const extra = [o.required ? 'required' : null, o.repeatable ? 'repeatable' : null, o.default !== undefined ? `default: ${o.default}` : null].filter(
      Boolean,
    );
    command.addOption(new Option(flags(o), `${o.description}${extra.length ? ` (${extra.join('; ')})` : ''}`));
  }
  if (subcommands.length > 0) command.usage(`<command> [options]`);
  const examples = spec.examples.map((e) => `  ${e}`).join('\n');
  const more = subcommands.length > 0 ? `\n\nRun ${commandName(spec)} <command> --help for a command's options.` : '';
  return `${command.helpInformation({ error: false }).trimEnd()}\n\nExamples:\n${examples}${more}\n`;
}
