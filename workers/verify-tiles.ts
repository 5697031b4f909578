/**
 * The verify job's worker task: fully decodes each tile of a batch and reports the ones that are
 * corrupt, empty or oversized.
 *
 * Decoding, not sniffing: a tile cut short by a failed write still starts with a valid header, so
 * only a full decode (every pixel, every feature's geometry) tells it apart. The bytes decide how to
 * decode (PNG/JPEG/WebP/gzip magic), the cache's declared format only when they do not say, because
 * caches mix formats (JPEG tiles in a "png" MBTiles) and vector tiles may or may not be gzipped.
 * A uniform opaque tile is not empty (open ocean is a real tile); only a fully transparent one is.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { VectorTileLayer } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import sharp from 'sharp';
import { AbortFlag } from './abort-flag.js';

/** One batch of tiles, as the engine's verify kind sends it (the pool adds `abort`). */
export interface VerifyTilesTask {
  tiles: { z: number; x: number; y: number; data: Uint8Array }[];
  /** The cache's declared format: used only when a tile's bytes have no recognisable magic. */
  format: 'png' | 'jpg' | 'webp' | 'pbf' | 'unknown';
  /** Tiles larger than this are reported as oversized (in addition to any decode finding). */
  maxTileBytes: number;
  abort?: SharedArrayBuffer;
}

export type TileIssueKind = 'corrupt' | 'empty' | 'oversized';

export interface TileIssue {
  z: number;
  x: number;
  y: number;
  issue: TileIssueKind;
  /** What was wrong, for a person: the decoder's message, "fully transparent", "612,345 bytes > 512,000". */
  detail: string;
}

/** Counts for the batch (a tile can be both corrupt and oversized) and one issue per finding. */
export interface VerifyTilesResult {
  checked: number;
  bytes: number;
  corrupt: number;
  empty: number;
  oversized: number;
  /** In the order of the task's tiles. */
  issues: TileIssue[];
}

/** Tiles decoded at once: sharp decodes on libuv's pool (4 threads by default), so 4 keeps it busy. */
const IN_FLIGHT = 4;
/** PNG's last chunk: IEND, no data, fixed CRC. Its absence is the signature of a truncated write. */
const PNG_IEND = Buffer.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
const gunzip = promisify(zlib.gunzip);
/**
 * Far beyond any real tile (vector tiles are kept under 500 KB, raster tiles are 256 or 512 px
 * wide), low enough that a gzip bomb or a 60,000-pixel "tile" fails as corrupt instead of taking
 * the worker's memory with it.
 */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
const MAX_PIXELS = 4096 * 4096;

type Kind = 'png' | 'jpg' | 'webp' | 'gzip' | 'pbf' | 'image';
type Finding = { issue: 'corrupt' | 'empty'; detail: string } | null;

/** Checks every tile of `task`; throws ABORTED (between tiles) when the task's abort flag is raised. */
export async function verifyTiles(task: VerifyTilesTask): Promise<VerifyTilesResult> {
  const flag = new AbortFlag(task.abort);
  flag.throwIfAborted();
  const findings: Finding[] = new Array(task.tiles.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < task.tiles.length) {
      flag.throwIfAborted();
      const i = next++;
      findings[i] = await inspectTile(task.tiles[i]!.data, task.format);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, task.tiles.length) }, worker));

  const result: VerifyTilesResult = { checked: 0, bytes: 0, corrupt: 0, empty: 0, oversized: 0, issues: [] };
  task.tiles.forEach(({ z, x, y, data }, i) => {
    result.checked++;
    result.bytes += data.byteLength;
    const finding = findings[i];
    if (finding) {
      result[finding.issue]++;
      result.issues.push({ z, x, y, ...finding });
    }
    if (data.byteLength > task.maxTileBytes) {
      result.oversized++;
      result.issues.push({ z, x, y, issue: 'oversized', detail: `${thousands(data.byteLength)} bytes > ${thousands(task.maxTileBytes)}` });
    }
  });
  return result;
}

/** The decode finding for one tile's bytes, null when it is a good, non-empty tile. */
export async function inspectTile(data: Uint8Array, format: VerifyTilesTask['format']): Promise<Finding> {
  if (data.byteLength === 0) return { issue: 'corrupt', detail: '0 bytes' };
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const sniffed = sniff(bytes);
  const kind = sniffed ?? fallbackKind(bytes, format);
  if (kind === 'gzip') {
    let inflated: Buffer;
    try {
      inflated = await gunzip(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      return { issue: 'corrupt', detail: `gzip: ${(error as Error).message}` };
    }
    return inspectVector(inflated, 'gzipped pbf');
  }
  if (kind === 'pbf') return inspectVector(bytes, 'pbf');
  return (sniffed && truncatedImage(bytes, sniffed)) || inspectImage(bytes, kind);
}

function sniff(b: Buffer): Kind | undefined {
  if (b.length >= 4 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  return undefined;
}

/**
 * No magic: trust the declared format. An undeclared one is taken as a vector tile when it starts
 * like one (field 3, length-delimited: a layer), and otherwise handed to sharp, which knows more
 * image formats than we sniff (GIF, TIFF, AVIF) and names the problem when it knows none.
 */
function fallbackKind(b: Buffer, format: VerifyTilesTask['format']): Kind {
  if (format === 'pbf') return 'pbf';
  if (format === 'unknown') return b[0] === 0x1a ? 'pbf' : 'image';
  return format;
}

/**
 * Truncation that decoders let through: libpng stops once the pixels are in, so a PNG cut inside
 * its trailing chunks decodes "fine"; a RIFF container says its own length. Only for bytes whose
 * magic says PNG or WebP (garbage in a "png" cache is left to sharp, which says what it is).
 */
function truncatedImage(bytes: Buffer, kind: Kind): Finding {
  // IEND may be followed by a little junk, which viewers ignore; allow for it.
  if (kind === 'png' && bytes.subarray(-PNG_IEND.length - 64).lastIndexOf(PNG_IEND) < 0) {
    return { issue: 'corrupt', detail: 'png: no IEND chunk at the end (truncated)' };
  }
  if (kind === 'webp' && bytes.readUInt32LE(4) + 8 > bytes.length) {
    return {
      issue: 'corrupt',
      detail: `webp: RIFF size says ${thousands(bytes.readUInt32LE(4) + 8)} bytes, the tile has ${thousands(bytes.length)} (truncated)`,
    };
  }
  return null;
}

async function inspectImage(bytes: Buffer, kind: Kind): Promise<Finding> {
  const label = kind === 'image' ? 'image' : kind;
  try {
    // 'error' fails on truncated or undecodable pixel data but not on mere warnings (an odd ICC
    // profile, extra bytes after the image), which browsers render without complaint. Raw pixels,
    // not stats(): stats() also computes entropy and sharpness, which made it 6-8 times slower.
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_PIXELS }).raw().toBuffer({ resolveWithObject: true });
    // Raw output is grey or sRGB, plus alpha as the last channel when the image has one.
    if ((info.channels === 2 || info.channels === 4) && alphaMax(data, info.channels) === 0) return { issue: 'empty', detail: 'fully transparent' };
    return null;
  } catch (error) {
    return { issue: 'corrupt', detail: `${label}: ${oneLine((error as Error).message)}` };
  }
}

function alphaMax(pixels: Buffer, channels: number): number {
  let max = 0;
  for (let i = channels - 1; i < pixels.length && max === 0; i += channels) max = pixels[i]!;
  return max;
}

/**
 * Reads the tile's layers one by one rather than through `new VectorTile()`, which drops layers
 * without features, lets a later layer of the same name hide an earlier one, and does not notice
 * a length that runs past the end of the buffer (pbf does not bounds-check).
 */
function inspectVector(bytes: Buffer, label: string): Finding {
  try {
    const pbf = new PbfReader(bytes);
    let layers = 0;
    let features = 0;
    while (pbf.pos < bytes.length) {
      const tag = pbf.readVarint();
      if (tag !== 26) {
        pbf.skip(tag);
        continue;
      }
      const end = pbf.readVarint() + pbf.pos;
      if (end > bytes.length) throw new Error(`layer ${layers + 1} runs past the end of the tile (truncated)`);
      const layer = new VectorTileLayer(pbf, end);
      if (pbf.pos !== end) throw new Error(`layer "${layer.name}" overruns its length`);
      for (let i = 0; i < layer.length; i++) layer.feature(i).loadGeometry();
      layers++;
      features += layer.length;
      pbf.pos = end;
    }
    if (pbf.pos !== bytes.length) throw new Error('the last field runs past the end of the tile (truncated)');
    if (layers === 0) return { issue: 'empty', detail: 'no layers' };
    if (features === 0) return { issue: 'empty', detail: `no features in ${layers} layer${layers === 1 ? '' : 's'}` };
    return null;
  } catch (error) {
    return { issue: 'corrupt', detail: `${label}: ${oneLine((error as Error).message)}` };
  }
}

/** libvips repeats its messages over several lines; one line reads better in a table. */
function oneLine(message: string): string {
  const lines = [
    ...new Set(
      message
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ),
  ];
  return lines.join('; ');
}

/** 612345 → "612,345", without depending on the runtime's ICU data. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
