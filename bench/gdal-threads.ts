/**
 * GDAL threading benchmark: which process/thread model should own GDAL in the engine?
 *
 *   npx tsc -b bench/tsconfig.json && node dist/bench/gdal-threads.js [--reps N] [--only TEXT]
 *
 * --reps N     runs of every setting, interleaved; the table shows the median wall time (default 3)
 * --only TEXT  only the settings whose "work setting" text contains TEXT (e.g. --only warp, --only B:)
 * --load N     keep N busy-loop processes running during the measurements (behaviour under CPU contention)
 *
 * gdal-async is not context-aware: it loads in one thread per process ("Module did not self-register"
 * in any other thread). So GDAL work either runs (A) through gdal-async's async API from ONE owning
 * thread, executing on libuv's thread pool (UV_THREADPOOL_SIZE), or (B) in N child processes that each
 * own a GDAL. This file measures both on a realistic raster and prints one table (see
 * docs/gdal-threading.md for the decision and the numbers).
 *
 * Every measured setting runs in a fresh child process (the thread-pool size is fixed when a process
 * starts its pool, and the GDAL block cache must start cold), so the orchestrator itself never loads a
 * native module. Set-up (raster creation, process start, module load, dataset open, worker warm-up)
 * is outside the timed window; the timed window is from the first tile handed out to the last tile done.
 *
 * Roles of this one file (selected by argv[2] in a process, by workerData in a worker thread):
 *   (none)     orchestrator: set-up child, then one child per setting, then the probe, then the table
 *   setup      writes two COGs (EPSG:3857 and EPSG:32632) into the temp dir, returns the tile lists
 *   run        one setting: GDAL in this process (procs = 0) or coordinating 2 `gdal-proc` children
 *   gdal-proc  a GDAL-owning child process of a `run` coordinator (model B)
 *   probe      loads gdal-async on the main thread, then in a worker thread: prints the failure
 *   piscina worker threads import this file and call `encodeTile` (sharp PNG encoding)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type * as GdalModule from 'gdal-async';
import type { Piscina as PiscinaPool } from 'piscina';

// role uv-probe: does setting UV_THREADPOOL_SIZE in code, as the first statement of an ESM entry, still
// size libuv's pool? (Checked by counting this process's threads after the pool has started.)
if (isMainThread && process.argv[2] === 'uv-probe' && process.env.UV_PROBE_SET_IN_CODE) process.env.UV_THREADPOOL_SIZE = '12';

type Gdal = typeof GdalModule;
type Dataset = GdalModule.Dataset;
type RasterBandPixels = GdalModule.RasterBandPixels;

const SELF = fileURLToPath(import.meta.url);
const TILE = 256;
const TILE_BYTES = TILE * TILE * 4;
const ORIGIN = 20037508.342789244; // half the EPSG:3857 world width, metres
const BATCH = 16; // tiles handed out per request (consecutive in z/y/x order: keeps block-cache locality)
const RASTER = 4096; // source raster is RASTER × RASTER pixels, 3 bands, Byte, 10 m pixels
const PIXEL_M = 10;
const READ_ZOOMS: [number, number] = [10, 14]; // 10 m ≈ z14 (9.55 m/px); lower zooms come from the overviews
const WARP_ZOOMS: [number, number] = [13, 14]; // GDALReprojectImage does not use overviews: base zooms only
// tile lists are cut to their first N in z/y/x order, to keep the bench at about 1.5 minutes on 2 idle cores
const READ_MAX_TILES = 320;
const WARP_MAX_TILES = 128;
const E2E_MAX_TILES = 192; // read+PNG rows: the first read tiles

type Tile = [z: number, x: number, y: number];
type Mode = 'read' | 'warp';
type Sink = 'checksum' | 'pool' | 'local';

interface RunSpec {
  label: string;
  mode: Mode;
  file: string;
  tiles: Tile[];
  api: 'sync' | 'async';
  uv: number; // UV_THREADPOOL_SIZE of every process of this setting
  handles: number; // datasets opened per GDAL-owning process
  lanes: number; // tiles in flight per GDAL-owning process (async API only; sync is always 1)
  procs: number; // 0: GDAL in the run process (model A); 2: two gdal-proc children (model B)
  sink: Sink; // checksum only | PNG in a piscina pool of the run process | PNG with sharp in the GDAL process
  encoders: number; // piscina threads (sink 'pool')
  inflight?: number; // tiles queued for encoding before the GDAL side waits (default 2 × encoders)
}

interface RunResult {
  label: string;
  tiles: number;
  wallMs: number;
  cpuMs: number;
  rssKiB: number; // sum over the processes of the setting of each one's peak RSS
  startupMs: number; // fork → all processes ready (not in wallMs)
  checksum: number;
  pngBytes: number;
}

interface SetupResult {
  gdalVersion: string;
  readFile: string;
  warpFile: string;
  readBytes: number;
  warpBytes: number;
  readTiles: Tile[];
  warpTiles: Tile[];
  overviews: number;
  setupMs: number;
}

// ---------------------------------------------------------------------------------------------------
// small helpers

async function loadGdal(): Promise<Gdal> {
  const m = (await import('gdal-async')) as unknown as { default?: Gdal } & Gdal;
  return m.default ?? m;
}

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const maxRssKiB = (): number => process.resourceUsage().maxRSS;

function tileBounds([z, x, y]: Tile): [minx: number, miny: number, maxx: number, maxy: number] {
  const size = (2 * ORIGIN) / 2 ** z;
  return [-ORIGIN + x * size, ORIGIN - (y + 1) * size, -ORIGIN + (x + 1) * size, ORIGIN - y * size];
}

function tilesCovering(b: [number, number, number, number], zooms: [number, number]): Tile[] {
  const out: Tile[] = [];
  for (let z = zooms[0]; z <= zooms[1]; z++) {
    const size = (2 * ORIGIN) / 2 ** z;
    const x0 = Math.floor((b[0] + ORIGIN) / size);
    const x1 = Math.ceil((b[2] + ORIGIN) / size) - 1;
    const y0 = Math.floor((ORIGIN - b[3]) / size);
    const y1 = Math.ceil((ORIGIN - b[1]) / size) - 1;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out.push([z, x, y]);
  }
  return out;
}

/** Order-sensitive hash of one tile; tiles are combined by addition so the total ignores tile order. */
function tileHash(rgba: Uint8Array): number {
  if (rgba.byteOffset % 4) rgba = new Uint8Array(rgba); // IPC-deserialised views may be unaligned: copy
  const u32 = new Uint32Array(rgba.buffer, rgba.byteOffset, rgba.byteLength >>> 2);
  let h = 0;
  for (let i = 0; i < u32.length; i++) h = (Math.imul(h, 31) + u32[i]!) >>> 0;
  return h;
}

class Semaphore {
  private free: number;
  private readonly waiters: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiters.push(r));
  }
  release(): void {
    const w = this.waiters.shift();
    if (w) w();
    else this.free++;
  }
}

function exclusiveArrayBuffer(u: Uint8Array): ArrayBuffer {
  if (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength && u.buffer instanceof ArrayBuffer) return u.buffer;
  return new Uint8Array(u).buffer; // a copy (Buffer#slice would be a view)
}

function onMessage<T>(cp: ChildProcess | NodeJS.Process, pred: (m: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const h = (m: unknown): void => {
      if (pred(m as T)) {
        cp.off('message', h);
        resolve(m as T);
      }
    };
    cp.on('message', h);
  });
}

function send(m: unknown): Promise<void> {
  return new Promise((resolve, reject) => process.send!(m, undefined, {}, (e) => (e ? reject(e) : resolve())));
}

// ---------------------------------------------------------------------------------------------------
// piscina worker side: PNG encoding with sharp (the engine's CPU pool does exactly this)

type SharpFn = typeof import('sharp').default;
let sharpP: Promise<SharpFn> | undefined;
function loadSharp(): Promise<SharpFn> {
  sharpP ??= import('sharp').then((m) => m.default);
  return sharpP;
}

async function encodePng(buf: Uint8Array): Promise<number> {
  const sharp = await loadSharp();
  const png = await sharp(buf, { raw: { width: TILE, height: TILE, channels: 4 } })
    .png()
    .toBuffer();
  return png.length;
}

/** piscina task (called by name): encode one RGBA tile, return the PNG size. */
export async function encodeTile(task: { buf: ArrayBuffer }): Promise<number> {
  return encodePng(new Uint8Array(task.buf));
}

async function makePool(n: number): Promise<PiscinaPool> {
  const { Piscina } = await import('piscina');
  const pool = new Piscina({ filename: SELF, minThreads: n, maxThreads: n, idleTimeout: 60_000 });
  const blank = (): ArrayBuffer => new ArrayBuffer(TILE_BYTES);
  await Promise.all(
    Array.from({ length: 2 * n }, () => {
      const buf = blank();
      return pool.run({ buf }, { name: 'encodeTile', transferList: [buf] });
    }),
  );
  return pool;
}

// ---------------------------------------------------------------------------------------------------
// GDAL side: one owner per process

interface Handle {
  ds: Dataset;
  pixels: RasterBandPixels[]; // bands 1..3, fetched before any async I/O (sync getters would block)
}

interface TileReader {
  /** read one tile into a fresh RGBA buffer */
  read(tile: Tile, h: Handle): Promise<Uint8Array>;
  readSync(tile: Tile, h: Handle): Uint8Array;
}

async function openHandles(gdal: Gdal, file: string, n: number, api: 'sync' | 'async'): Promise<Handle[]> {
  const out: Handle[] = [];
  for (let i = 0; i < n; i++) {
    const ds = api === 'async' ? await gdal.openAsync(file) : gdal.open(file);
    out.push({ ds, pixels: [1, 2, 3].map((b) => ds.bands.get(b).pixels) });
  }
  return out;
}

function makeReader(gdal: Gdal, mode: Mode, first: Handle): TileReader {
  // everything below is read from the first handle before the timed run starts; all handles are alike
  const gt = first.ds.geoTransform!;
  const { x: W, y: H } = first.ds.rasterSize;
  const srcSrs = first.ds.srs!;
  const webm = gdal.SpatialReference.fromEPSG(3857);
  const mem = gdal.drivers.get('MEM');

  if (mode === 'read') {
    // gdal2tiles-style windowed read: source window → buffer sub-rectangle, resampled by RasterIO,
    // written band-interleaved straight into the RGBA buffer (pixel_space 4, per-band offset).
    const plan = (t: Tile): { rx: number; ry: number; rw: number; rh: number; wx: number; wy: number; bw: number; bh: number } | null => {
      const [minx, miny, maxx, maxy] = tileBounds(t);
      const fx0 = (minx - gt[0]!) / gt[1]!;
      const fx1 = (maxx - gt[0]!) / gt[1]!;
      const fy0 = (maxy - gt[3]!) / gt[5]!;
      const fy1 = (miny - gt[3]!) / gt[5]!;
      const sx = TILE / (fx1 - fx0);
      const sy = TILE / (fy1 - fy0);
      const rx0 = Math.max(0, Math.round(fx0));
      const rx1 = Math.min(W, Math.round(fx1));
      const ry0 = Math.max(0, Math.round(fy0));
      const ry1 = Math.min(H, Math.round(fy1));
      const wx0 = Math.max(0, Math.round((rx0 - fx0) * sx));
      const wx1 = Math.min(TILE, Math.round((rx1 - fx0) * sx));
      const wy0 = Math.max(0, Math.round((ry0 - fy0) * sy));
      const wy1 = Math.min(TILE, Math.round((ry1 - fy0) * sy));
      if (rx1 <= rx0 || ry1 <= ry0 || wx1 <= wx0 || wy1 <= wy0) return null;
      return { rx: rx0, ry: ry0, rw: rx1 - rx0, rh: ry1 - ry0, wx: wx0, wy: wy0, bw: wx1 - wx0, bh: wy1 - wy0 };
    };
    const opts = (p: NonNullable<ReturnType<typeof plan>>, b: number): GdalModule.ReadOptions => ({
      buffer_width: p.bw,
      buffer_height: p.bh,
      pixel_space: 4,
      line_space: TILE * 4,
      offset: (p.wy * TILE + p.wx) * 4 + b,
      resampling: gdal.GRA_Bilinear,
    });
    const alpha = (rgba: Uint8Array, p: NonNullable<ReturnType<typeof plan>>): void => {
      for (let y = p.wy; y < p.wy + p.bh; y++) {
        for (let x = p.wx, i = (y * TILE + x) * 4 + 3; x < p.wx + p.bw; x++, i += 4) rgba[i] = 255;
      }
    };
    return {
      async read(t, h) {
        const rgba = new Uint8Array(TILE_BYTES);
        const p = plan(t);
        if (!p) return rgba;
        // chained, not Promise.all: calls on one dataset are serialised anyway, and parallel calls
        // would park libuv threads on the dataset lock (ASYNCIO.md, "thread starvation")
        for (let b = 0; b < 3; b++) await h.pixels[b]!.readAsync(p.rx, p.ry, p.rw, p.rh, rgba, opts(p, b));
        alpha(rgba, p);
        return rgba;
      },
      readSync(t, h) {
        const rgba = new Uint8Array(TILE_BYTES);
        const p = plan(t);
        if (!p) return rgba;
        for (let b = 0; b < 3; b++) h.pixels[b]!.read(p.rx, p.ry, p.rw, p.rh, rgba, opts(p, b));
        alpha(rgba, p);
        return rgba;
      },
    };
  }

  // warp: GDALReprojectImage from the EPSG:32632 source into a 256×256 RGBA MEM dataset in EPSG:3857
  const target = (t: Tile): Dataset => {
    const [minx, , maxx, maxy] = tileBounds(t);
    const res = (maxx - minx) / TILE;
    const dst = mem.create('', TILE, TILE, 4, gdal.GDT_Byte);
    dst.geoTransform = [minx, res, 0, maxy, 0, -res];
    dst.srs = webm;
    return dst;
  };
  const collect = (dst: Dataset): Uint8Array => {
    // the MEM dataset belongs to this tile only and has no pending async call: sync reads are memcpys
    const rgba = new Uint8Array(TILE_BYTES);
    for (let b = 0; b < 4; b++) dst.bands.get(b + 1).pixels.read(0, 0, TILE, TILE, rgba, { pixel_space: 4, line_space: TILE * 4, offset: b });
    dst.close();
    return rgba;
  };
  const options = (h: Handle, dst: Dataset): GdalModule.ReprojectOptions => ({
    src: h.ds,
    dst,
    s_srs: srcSrs,
    t_srs: webm,
    resampling: gdal.GRA_Bilinear,
    dstAlphaBand: 4,
    maxError: 0.125, // gdalwarp's default (approximate transformer); 0 would run PROJ for every pixel
  });
  return {
    async read(t, h) {
      const dst = target(t);
      await gdal.reprojectImageAsync(options(h, dst));
      return collect(dst);
    },
    readSync(t, h) {
      const dst = target(t);
      gdal.reprojectImage(options(h, dst));
      return collect(dst);
    },
  };
}

/**
 * The GDAL owner's loop: `lanes` concurrent loops pull batches, lane i uses handle i % handles, and
 * pass every finished tile to `sink` (which may wait: back-pressure). Sync API: one lane, blocking reads.
 */
async function gdalLoop(
  reader: TileReader,
  handles: Handle[],
  spec: Pick<RunSpec, 'api' | 'lanes'>,
  nextBatch: () => Promise<Tile[] | null>,
  sink: (rgba: Uint8Array) => Promise<void>,
): Promise<void> {
  const lanes = spec.api === 'sync' ? 1 : spec.lanes;
  await Promise.all(
    Array.from({ length: lanes }, async (_, i) => {
      const h = handles[i % handles.length]!;
      for (let batch = await nextBatch(); batch; batch = await nextBatch()) {
        for (const t of batch) await sink(spec.api === 'sync' ? reader.readSync(t, h) : await reader.read(t, h));
      }
    }),
  );
}

/** Sinks that live in the GDAL-owning process. `drain` waits for pending encodes. */
function makeLocalSink(kind: Sink, pool: PiscinaPool | null, inflight: number) {
  let checksum = 0;
  let pngBytes = 0;
  const sem = new Semaphore(inflight);
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<number>): void => {
    const q = p.then((n) => {
      pngBytes += n;
      sem.release();
      pending.delete(q);
    });
    pending.add(q);
  };
  return {
    async sink(rgba: Uint8Array): Promise<void> {
      checksum = (checksum + tileHash(rgba)) >>> 0;
      if (kind === 'checksum') return;
      await sem.acquire();
      if (kind === 'pool') {
        const buf = exclusiveArrayBuffer(rgba);
        track(pool!.run({ buf }, { name: 'encodeTile', transferList: [buf] }) as Promise<number>);
      } else {
        track(encodePng(rgba));
      }
    },
    async drain(): Promise<void> {
      while (pending.size) await Promise.all([...pending]);
    },
    totals: () => ({ checksum, pngBytes }),
  };
}

// ---------------------------------------------------------------------------------------------------
// role: setup (writes the rasters; runs in its own process so the orchestrator stays native-free)

function makeBands(n: number): Uint8Array[] {
  // Imagery-like content: two octaves of smooth value noise → elevation → land-cover colour ramp,
  // plus per-pixel sensor noise (so DEFLATE sees realistic entropy, not flat gradients).
  let s = 0x9e3779b9;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const octave = (cell: number): Float32Array => {
    const g = Math.ceil(n / cell) + 2;
    const grid = Float32Array.from({ length: g * g }, rnd);
    const out = new Float32Array(n * n);
    for (let y = 0; y < n; y++) {
      const gy = Math.floor(y / cell);
      let fy = y / cell - gy;
      fy = fy * fy * (3 - 2 * fy);
      for (let x = 0; x < n; x++) {
        const gx = Math.floor(x / cell);
        let fx = x / cell - gx;
        fx = fx * fx * (3 - 2 * fx);
        const a = grid[gy * g + gx]!;
        const b = grid[gy * g + gx + 1]!;
        const c = grid[(gy + 1) * g + gx]!;
        const d = grid[(gy + 1) * g + gx + 1]!;
        out[y * n + x] = a + (b - a) * fx + (c - a + (a - b - c + d) * fx) * fy;
      }
    }
    return out;
  };
  const lo = octave(512);
  const hi = octave(48);
  const ramp = (e: number): [number, number, number] =>
    e < 0.35 ? [40, 80, 150] : e < 0.42 ? [200, 190, 140] : e < 0.65 ? [70, 130, 60] : e < 0.8 ? [120, 100, 70] : [235, 235, 240];
  const lut = Array.from({ length: 256 }, (_, i) => ramp(i / 255));
  const bands = [new Uint8Array(n * n), new Uint8Array(n * n), new Uint8Array(n * n)];
  for (let i = 0; i < n * n; i++) {
    const e = 0.7 * lo[i]! + 0.3 * hi[i]!;
    const shade = 0.75 + 0.5 * hi[i]!;
    const c = lut[Math.min(255, Math.max(0, Math.round(e * 255)))]!;
    for (let b = 0; b < 3; b++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const noise = ((s >>> 24) & 7) - 4;
      bands[b]![i] = Math.min(255, Math.max(0, Math.round(c[b]! * shade) + noise));
    }
  }
  return bands;
}

async function roleSetup(dir: string): Promise<SetupResult> {
  const t0 = process.hrtime.bigint();
  const gdal = await loadGdal();
  const bands = makeBands(RASTER);
  const src = gdal.drivers.get('MEM').create('', RASTER, RASTER, 3, gdal.GDT_Byte);
  bands.forEach((data, b) => src.bands.get(b + 1).pixels.write(0, 0, RASTER, RASTER, data));
  const cog = ['-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-co', 'BLOCKSIZE=256', '-co', 'OVERVIEW_RESAMPLING=AVERAGE', '-co', 'NUM_THREADS=ALL_CPUS'];

  // the same pixels, georeferenced twice: Web Mercator (windowed reads) and UTM 32N (warped tiles)
  const readFile = path.join(dir, 'src-3857.tif');
  src.srs = gdal.SpatialReference.fromEPSG(3857);
  src.geoTransform = [1_001_234, PIXEL_M, 0, 6_003_456, 0, -PIXEL_M]; // deliberately not tile-aligned
  gdal.translate(readFile, src, cog).close();
  const warpFile = path.join(dir, 'src-32632.tif');
  src.srs = gdal.SpatialReference.fromEPSG(32632);
  src.geoTransform = [480_000, PIXEL_M, 0, 5_260_000, 0, -PIXEL_M];
  gdal.translate(warpFile, src, cog).close();
  src.close();

  const r = gdal.open(readFile);
  const overviews = r.bands.get(1).overviews.count();
  const rb = r.bands.getEnvelope();
  r.close();
  const w = gdal.open(warpFile);
  const ct = new gdal.CoordinateTransformation(w.srs!, gdal.SpatialReference.fromEPSG(3857));
  const e = w.bands.getEnvelope();
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i <= 8; i++) {
    for (const [x, y] of [
      [e.minX + ((e.maxX - e.minX) * i) / 8, e.minY],
      [e.minX + ((e.maxX - e.minX) * i) / 8, e.maxY],
      [e.minX, e.minY + ((e.maxY - e.minY) * i) / 8],
      [e.maxX, e.minY + ((e.maxY - e.minY) * i) / 8],
    ] as const) {
      const p = ct.transformPoint(x, y);
      xs.push(p.x);
      ys.push(p.y);
    }
  }
  w.close();
  return {
    gdalVersion: gdal.version,
    readFile,
    warpFile,
    readBytes: statSync(readFile).size,
    warpBytes: statSync(warpFile).size,
    readTiles: tilesCovering([rb.minX, rb.minY, rb.maxX, rb.maxY], READ_ZOOMS).slice(0, READ_MAX_TILES),
    warpTiles: tilesCovering([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], WARP_ZOOMS).slice(0, WARP_MAX_TILES),
    overviews,
    setupMs: ms(t0),
  };
}

// ---------------------------------------------------------------------------------------------------
// role: gdal-proc (model B child). Protocol with its coordinator:
//   → ready · ← go · → need ⇄ ← batch{tiles|null} · → tile{buf} (sink 'pool') · → finished{totals}

async function roleGdalProc(): Promise<void> {
  const spec = await onMessage<{ type: string; spec: RunSpec }>(process, (m) => m.type === 'spec').then((m) => m.spec);
  const gdal = await loadGdal();
  const handles = await openHandles(gdal, spec.file, spec.api === 'sync' ? 1 : spec.handles, spec.api);
  const reader = makeReader(gdal, spec.mode, handles[0]!);
  if (spec.sink === 'local') await encodePng(new Uint8Array(TILE_BYTES)); // load sharp outside the timing
  await send({ type: 'ready' });
  await onMessage<{ type: string }>(process, (m) => m.type === 'go');
  const c0 = process.cpuUsage();

  const local = makeLocalSink(spec.sink === 'local' ? 'local' : 'checksum', null, spec.inflight ?? 2);
  const nextBatch = async (): Promise<Tile[] | null> => {
    const reply = onMessage<{ type: string; tiles: Tile[] | null }>(process, (m) => m.type === 'batch');
    await send({ type: 'need' });
    return (await reply).tiles;
  };
  const sink = async (rgba: Uint8Array): Promise<void> => {
    if (spec.sink === 'pool') {
      await send({ type: 'tile', buf: rgba });
    } else {
      await local.sink(rgba);
    }
  };
  await gdalLoop(reader, handles, spec, nextBatch, sink);
  await local.drain();
  await send({ type: 'finished', ...local.totals(), cpuMs: cpuMs(process.cpuUsage(c0)), rssKiB: maxRssKiB() });
  process.disconnect();
}

// ---------------------------------------------------------------------------------------------------
// role: run (one setting)

async function roleRun(): Promise<void> {
  const spec = await onMessage<{ type: string; spec: RunSpec }>(process, (m) => m.type === 'spec').then((m) => m.spec);
  const pool = spec.sink === 'pool' ? await makePool(spec.encoders) : null;
  const inflight = spec.inflight ?? 2 * Math.max(1, spec.encoders);
  let cursor = 0;
  const takeBatch = (): Tile[] | null => {
    if (cursor >= spec.tiles.length) return null;
    const b = spec.tiles.slice(cursor, cursor + BATCH);
    cursor += b.length;
    return b;
  };

  if (spec.procs === 0) {
    // model A: this process owns GDAL
    const gdal = await loadGdal();
    const handles = await openHandles(gdal, spec.file, spec.api === 'sync' ? 1 : spec.handles, spec.api);
    const reader = makeReader(gdal, spec.mode, handles[0]!);
    const local = makeLocalSink(spec.sink, pool, inflight);
    if (spec.sink === 'local') await encodePng(new Uint8Array(TILE_BYTES)); // load sharp outside the timing
    await send({ type: 'ready' });
    await onMessage<{ type: string }>(process, (m) => m.type === 'go');
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await gdalLoop(
      reader,
      handles,
      spec,
      async () => takeBatch(),
      (rgba) => local.sink(rgba),
    );
    await local.drain();
    const wallMs = ms(t0);
    const cpu = cpuMs(process.cpuUsage(c0));
    await pool?.destroy();
    const result: Omit<RunResult, 'startupMs'> = { label: spec.label, tiles: spec.tiles.length, wallMs, cpuMs: cpu, rssKiB: maxRssKiB(), ...local.totals() };
    await send({ type: 'result', result });
    process.disconnect();
    return;
  }

  // model B: this process coordinates `procs` GDAL children and (sink 'pool') encodes what they send
  const kids = Array.from({ length: spec.procs }, () =>
    fork(SELF, ['gdal-proc'], { serialization: 'advanced', env: { ...process.env, UV_THREADPOOL_SIZE: String(spec.uv) } }),
  );
  let checksum = 0;
  let pngBytes = 0;
  let kidCpu = 0;
  let kidRss = 0;
  const sem = new Semaphore(inflight);
  const pending = new Set<Promise<void>>();
  const parked: ChildProcess[] = []; // children waiting for a batch while the pool is saturated
  let encoding = 0;
  const grant = (kid: ChildProcess): void => {
    kid.send({ type: 'batch', tiles: takeBatch() });
  };
  const maybeGrant = (): void => {
    while (parked.length && encoding < inflight * 2) grant(parked.shift()!);
  };
  await Promise.all(
    kids.map((kid) => {
      kid.send({ type: 'spec', spec });
      return onMessage<{ type: string }>(kid, (m) => m.type === 'ready');
    }),
  );
  await send({ type: 'ready' });
  await onMessage<{ type: string }>(process, (m) => m.type === 'go');
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const finished = kids.map(
    (kid) =>
      new Promise<void>((resolve) => {
        kid.on('message', (m: { type: string; buf?: Uint8Array; checksum?: number; pngBytes?: number; cpuMs?: number; rssKiB?: number }) => {
          if (m.type === 'need') {
            if (encoding < inflight * 2) grant(kid);
            else parked.push(kid);
          } else if (m.type === 'tile') {
            // the deserialised view sits at an odd offset in a larger buffer: copy it out to transfer it
            const buf = new Uint8Array(m.buf!).buffer;
            checksum = (checksum + tileHash(new Uint8Array(buf))) >>> 0;
            encoding++;
            const p = sem.acquire().then(async () => {
              const n = (await pool!.run({ buf }, { name: 'encodeTile', transferList: [buf] })) as number;
              pngBytes += n; // (not `pngBytes += await …`: that reads pngBytes before the await)
              sem.release();
              encoding--;
              pending.delete(p);
              maybeGrant();
            });
            pending.add(p);
          } else if (m.type === 'finished') {
            checksum = (checksum + m.checksum!) >>> 0;
            pngBytes += m.pngBytes!;
            kidCpu += m.cpuMs!;
            kidRss += m.rssKiB!;
            resolve();
          }
        });
      }),
  );
  for (const kid of kids) kid.send({ type: 'go' });
  await Promise.all(finished);
  while (pending.size) await Promise.all([...pending]);
  const wallMs = ms(t0);
  const cpu = cpuMs(process.cpuUsage(c0)) + kidCpu;
  await pool?.destroy();
  const result: Omit<RunResult, 'startupMs'> = {
    label: spec.label,
    tiles: spec.tiles.length,
    wallMs,
    cpuMs: cpu,
    rssKiB: maxRssKiB() + kidRss,
    checksum,
    pngBytes,
  };
  await send({ type: 'result', result });
  process.disconnect();
}

// ---------------------------------------------------------------------------------------------------
// role: probe ("Module did not self-register" when a second thread requires gdal-async)

async function roleProbe(): Promise<void> {
  const gdal = await loadGdal();
  const line = await new Promise<string>((resolve) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { role: 'gdal-probe' } });
    w.once('message', (m: string) => resolve(m));
    w.once('error', (e) => resolve(`worker crashed: ${String(e)}`));
  });
  await send({ type: 'probe', line: `main thread loaded gdal-async ${gdal.version}; then a worker_thread: ${line}` });
  process.disconnect();
}

async function roleUvProbe(): Promise<void> {
  const { readFile, readdir } = await import('node:fs/promises');
  await readFile(SELF); // starts libuv's pool
  const threads = (await readdir('/proc/self/task')).length;
  await send({ type: 'uv-probe', threads });
  process.disconnect();
}

/** --load: burn one core until the orchestrator kills this process, or it is gone, or 10 min pass. */
function roleSpin(): void {
  const parent = process.ppid; // (a value fixed at start in Node 20, so liveness is probed with signal 0)
  const alive = (): boolean => {
    try {
      process.kill(parent, 0);
      return true;
    } catch {
      return false;
    }
  };
  const until = Date.now() + 600_000;
  let x = 0;
  while (alive() && Date.now() < until) for (let i = 0; i < 1e7; i++) x = (x + i) | 0;
  process.exit(x === 1 ? 1 : 0);
}

async function workerGdalProbe(): Promise<void> {
  try {
    const g = await loadGdal();
    parentPort!.postMessage(`loaded too (GDAL ${g.version}) — unexpected`);
  } catch (e) {
    parentPort!.postMessage(`caught ${String(e).split('\n')[0]}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// orchestrator

function child<T>(role: string, msg: object | undefined, env: NodeJS.ProcessEnv, until: string, timeoutMs = 60_000): Promise<T & { startupMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let startupMs = 0;
    const fullEnv = { ...process.env, ...env };
    for (const k of Object.keys(fullEnv)) if (fullEnv[k] === undefined) delete fullEnv[k]; // (undefined: unset)
    const cp = fork(SELF, [role], { serialization: 'advanced', env: fullEnv });
    const timer = setTimeout(() => {
      cp.kill();
      reject(new Error(`${role} timed out`));
    }, timeoutMs);
    cp.on('message', (m: { type: string } & T) => {
      if (m.type === 'ready') {
        startupMs = ms(t0);
        cp.send({ type: 'go' });
      } else if (m.type === until) {
        clearTimeout(timer);
        resolve({ ...m, startupMs });
      }
    });
    cp.on('exit', (code) => {
      clearTimeout(timer);
      if (code) reject(new Error(`${role} exited with ${code}`));
    });
    if (msg !== undefined) cp.send(msg);
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

async function orchestrate(): Promise<void> {
  const argReps = process.argv.indexOf('--reps');
  const reps = argReps > 0 ? Math.max(1, Number(process.argv[argReps + 1]) || 1) : 3;
  const argLoad = process.argv.indexOf('--load');
  const load = argLoad > 0 ? Math.max(0, Number(process.argv[argLoad + 1]) || 0) : 0;
  const spinners: ChildProcess[] = [];
  const tAll = process.hrtime.bigint();
  const loadBefore = os.loadavg()[0]!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-gdal-bench-'));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const sp of spinners) sp.kill();
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    const setup = await child<{ setup: SetupResult }>('setup', { type: 'setup', dir }, {}, 'setup', 120_000).then((m) => m.setup);
    for (let i = 0; i < load; i++) spinners.push(fork(SELF, ['spin'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }));
    const cores = os.availableParallelism();
    console.log(`# GDAL threading bench — ${cores} cores, Node ${process.version}, GDAL ${setup.gdalVersion}`);
    console.log(
      `source: ${RASTER}×${RASTER} 3-band Byte COG (DEFLATE, 256² blocks, ${setup.overviews} overviews), ${PIXEL_M} m pixels; ` +
        `EPSG:3857 ${(setup.readBytes / 2 ** 20).toFixed(1)} MiB, EPSG:32632 ${(setup.warpBytes / 2 ** 20).toFixed(1)} MiB; set-up ${(setup.setupMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `read = windowed pixels.read(Async) ×3 bands, bilinear buffer resampling, first ${setup.readTiles.length} tiles of z${READ_ZOOMS.join('–')}; ` +
        `warp = reprojectImage(Async) 32632→3857 into a 256² RGBA MEM dataset, bilinear, maxError 0.125, first ${setup.warpTiles.length} tiles of z${WARP_ZOOMS.join('–')}`,
    );
    console.log(`read+PNG = the first ${Math.min(E2E_MAX_TILES, setup.readTiles.length)} read tiles, then sharp PNG (RGBA, default settings)`);
    if (load) console.log(`background load: ${load} busy-loop processes (--load) run during every measurement`);
    console.log(
      `work handed out in batches of ${BATCH} consecutive tiles; each setting is a fresh process (cold GDAL block cache); median of ${reps} run(s)\n`,
    );

    type Setting = Omit<RunSpec, 'file' | 'tiles' | 'mode' | 'label'> & { name: string };
    const base = { sink: 'checksum' as Sink, encoders: 0, procs: 0 };
    const gdalSettings: Setting[] = [
      { name: 'sync API, 1 thread', api: 'sync', uv: 4, handles: 1, lanes: 1, ...base },
      { name: 'async, UV=1, 1 handle', api: 'async', uv: 1, handles: 1, lanes: 1, ...base },
      { name: 'async, UV=2, 2 handles', api: 'async', uv: 2, handles: 2, lanes: 2, ...base },
      { name: 'async, UV=4, 1 handle, 4 in flight', api: 'async', uv: 4, handles: 1, lanes: 4, ...base },
      { name: 'async, UV=4, 4 handles', api: 'async', uv: 4, handles: 4, lanes: 4, ...base },
      { name: '2 processes, sync API each', api: 'sync', uv: 4, handles: 1, lanes: 1, ...base, procs: 2 },
    ];
    // end to end: GDAL read → PNG (sharp). 'pool' = the engine's piscina CPU pool in the GDAL-owning or
    // coordinating process; 'local' = sharp called where the pixels are (its work runs on libuv's pool)
    const e2eSettings: Setting[] = [
      { name: 'A: async UV=4, 2 handles → piscina ×2', api: 'async', uv: 4, handles: 2, lanes: 2, procs: 0, sink: 'pool', encoders: 2 },
      { name: 'A: async UV=4, 2 handles, sharp in place', api: 'async', uv: 4, handles: 2, lanes: 2, procs: 0, sink: 'local', encoders: 0, inflight: 4 },
      { name: 'B: 2 procs (sync) → IPC → piscina ×2', api: 'sync', uv: 4, handles: 1, lanes: 1, procs: 2, sink: 'pool', encoders: 2 },
      { name: 'B: 2 procs (sync), sharp in each', api: 'sync', uv: 4, handles: 1, lanes: 1, procs: 2, sink: 'local', encoders: 0 },
    ];
    const plan: { group: string; mode: Mode; s: Setting }[] = [
      ...gdalSettings.map((s) => ({ group: 'read', mode: 'read' as Mode, s })),
      ...gdalSettings.map((s) => ({ group: 'warp', mode: 'warp' as Mode, s })),
      ...e2eSettings.map((s) => ({ group: 'read+PNG', mode: 'read' as Mode, s })),
    ];
    const tilesOf = (group: string, mode: Mode): Tile[] =>
      mode === 'warp' ? setup.warpTiles : group === 'read' ? setup.readTiles : setup.readTiles.slice(0, E2E_MAX_TILES);

    const argOnly = process.argv.indexOf('--only');
    if (argOnly > 0) {
      const word = (process.argv[argOnly + 1] ?? '').toLowerCase();
      plan.splice(0, plan.length, ...plan.filter((p) => `${p.group} ${p.s.name}`.toLowerCase().includes(word)));
    }
    // reps are interleaved (whole plan, then again) so a burst of outside load hits every setting alike
    const specs = plan.map(({ group, mode, s }): RunSpec => {
      const { name, ...rest } = s;
      return { ...rest, label: name, mode, file: mode === 'read' ? setup.readFile : setup.warpFile, tiles: tilesOf(group, mode) };
    });
    const runs: RunResult[][] = specs.map(() => []);
    for (let rep = 0; rep < reps; rep++) {
      for (const [i, spec] of specs.entries()) {
        const m = await child<{ result: RunResult }>('run', { type: 'spec', spec }, { UV_THREADPOOL_SIZE: String(spec.uv) }, 'result');
        runs[i]!.push({ ...m.result, startupMs: m.startupMs });
        process.stderr.write(`  rep ${rep + 1} ${plan[i]!.group} | ${spec.label}: ${m.result.wallMs.toFixed(0)} ms\n`);
      }
    }
    const loadAfter = os.loadavg()[0]!;

    const rows: string[][] = [];
    const checks = new Map<string, number>();
    let pngRef: number | undefined;
    for (const [i, { group, s }] of plan.entries()) {
      const all = runs[i]!;
      const wall = median(all.map((r) => r.wallMs));
      const r = all.find((x) => x.wallMs === wall)!;
      // every setting of a mode must produce the same pixels (checksum over all tiles, order-free)
      const prev = checks.get(group);
      if (prev === undefined) checks.set(group, r.checksum);
      let ok = all.every((x) => x.checksum === (prev ?? r.checksum)) ? 'ok' : 'MISMATCH';
      if (r.pngBytes) {
        // sharp's PNG output is deterministic: every encoding setting must produce the same bytes in total
        pngRef ??= r.pngBytes;
        if (!all.every((x) => x.pngBytes === pngRef)) ok = 'PNG MISMATCH';
      }
      rows.push([
        group,
        s.name,
        String(r.tiles),
        wall.toFixed(0),
        reps > 1 ? `${Math.min(...all.map((x) => x.wallMs)).toFixed(0)}–${Math.max(...all.map((x) => x.wallMs)).toFixed(0)}` : '',
        ((r.tiles * 1000) / wall).toFixed(0),
        `${Math.round((100 * r.cpuMs) / wall)}%`,
        (median(all.map((x) => x.cpuMs)) / r.tiles).toFixed(2),
        (Math.max(...all.map((x) => x.rssKiB)) / 1024).toFixed(0),
        median(all.map((x) => x.startupMs)).toFixed(0),
        ok + (r.pngBytes ? `, ${(r.pngBytes / r.tiles / 1024).toFixed(1)} KiB/PNG` : ''),
      ]);
    }

    const head = ['work', 'setting', 'tiles', 'wall ms', 'range', 'tiles/s', 'CPU', 'CPU ms/tile', 'peak RSS MiB', 'start-up ms', 'pixels'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => `| ${r.map((c, i) => (i >= 2 && i <= 9 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
    console.log(fmt(head));
    console.log(`|${widths.map((w, i) => (i >= 2 && i <= 9 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
    for (const r of rows) console.log(fmt(r));
    console.log(
      '\nCPU = process CPU time (all threads, all processes of the setting) / wall; 100% = one core; CPU ms/tile = that CPU time / tiles (median). ' +
        'peak RSS = ru_maxrss, summed over the processes of a setting (B: coordinator + 2 GDAL children). ' +
        'start-up = fork → GDAL loaded, datasets open, pool warm (not in wall). pixels ok = same pixel checksum as the first row of its group (and the same total PNG bytes across the PNG rows).\n' +
        `wall = median of ${reps} (range = min–max); peak RSS = max over reps. 1-min load average: ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after ` +
        `(anything above 0 means other processes shared the ${cores} cores).`,
    );

    const probe = await child<{ line: string }>('probe', undefined, {}, 'probe');
    console.log(`\n${probe.line}`);
    if (process.platform === 'linux') {
      const threads = async (env: NodeJS.ProcessEnv): Promise<number> => (await child<{ threads: number }>('uv-probe', undefined, env, 'uv-probe')).threads;
      const none = await threads({ UV_THREADPOOL_SIZE: undefined });
      const inCode = await threads({ UV_THREADPOOL_SIZE: undefined, UV_PROBE_SET_IN_CODE: '1' });
      const env12 = await threads({ UV_THREADPOOL_SIZE: '12' });
      console.log(
        `UV_THREADPOOL_SIZE check (threads of a process after libuv's pool started): not set ${none}; ` +
          `set to 12 by the first statement of this ESM entry ${inCode}; 12 in the environment ${env12}`,
      );
    }
    console.log(`total bench time ${(ms(tAll) / 1000).toFixed(1)} s`);
  } finally {
    for (const sp of spinners) sp.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------

async function dispatch(): Promise<void> {
  if (!isMainThread) {
    if ((workerData as { role?: string } | null)?.role === 'gdal-probe') await workerGdalProbe();
    return; // piscina workers only need the exported encodeTile
  }
  const role = process.argv[2];
  if (role === 'setup') {
    const m = await onMessage<{ type: string; dir: string }>(process, (x) => x.type === 'setup');
    await send({ type: 'setup', setup: await roleSetup(m.dir) });
    process.disconnect();
  } else if (role === 'run') await roleRun();
  else if (role === 'gdal-proc') await roleGdalProc();
  else if (role === 'probe') await roleProbe();
  else if (role === 'uv-probe') await roleUvProbe();
  else if (role === 'spin') roleSpin();
  else await orchestrate();
}

dispatch().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
