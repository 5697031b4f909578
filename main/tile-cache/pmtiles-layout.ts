/**
 * The PMTiles v3 serialisation shared by the archive writer and the test fixture: the 127-byte
 * header, varint directories, the split into a root and leaf directories, and the entry list with
 * identical contents stored once and runs of identical consecutive tiles folded.
 *
 * Pure and byte-oriented: where the sections go in a file is the caller's choice, because the
 * writer streams tile data to disk while the fixture builds a whole archive in memory.
 */
import { createHash } from 'node:crypto';
import { tileIdToZxy } from 'pmtiles';
import type { Compression, Entry, Header, TileType } from 'pmtiles';

export const HEADER_BYTES = 127;
/** The spec: the header and the root directory must fit in the first 16 KiB. */
export const ROOT_LIMIT = 16_384;

/**
 * Directory entries of an archive, built tile by tile in ascending tile-id order. A content already
 * seen (same SHA-256) is addressed again instead of stored again, and a tile that continues the
 * previous entry's run with the same content only lengthens that run.
 */
export class ArchiveEntries {
  readonly entries: Entry[] = [];
  addressedTiles = 0;
  /** Bytes of distinct contents so far: the tile data section's length. */
  dataLength = 0;
  private readonly offsetByContent = new Map<string | number, number>();
  private lastTileId = -1;

  get contents(): number {
    return this.offsetByContent.size;
  }

  /**
   * Adds tile `tileId` holding `data`; returns where its content sits in the tile data section and
   * whether it is new there (the caller then stores the bytes at that offset).
   */
  add(tileId: number, data: Uint8Array): { offset: number; fresh: boolean } {
    return this.addContent(tileId, createHash('sha256').update(data).digest('base64'), data.byteLength);
  }

  /** `add` for a caller that already knows the content: `key` is the same for identical contents. */
  addContent(tileId: number, key: string | number, length: number): { offset: number; fresh: boolean } {
    if (tileId <= this.lastTileId) throw new Error(`tile id ${tileId} added after ${this.lastTileId}: tiles must come in ascending tile-id order`);
    this.lastTileId = tileId;
    let offset = this.offsetByContent.get(key);
    const fresh = offset === undefined;
    if (offset === undefined) {
      offset = this.dataLength;
      this.offsetByContent.set(key, offset);
      this.dataLength += length;
    }
    this.addressedTiles++;
    const last = this.entries[this.entries.length - 1];
    if (last && last.tileId + last.runLength === tileId && last.offset === offset && last.length === length) last.runLength++;
    else this.entries.push({ tileId, offset, length, runLength: 1 });
    return { offset, fresh };
  }

  /** The lowest and highest zoom addressed; [0, 0] for no tiles. */
  zoomRange(): [number, number] {
    const first = this.entries[0];
    const last = this.entries[this.entries.length - 1];
    if (!first || !last) return [0, 0];
    return [tileIdToZxy(first.tileId)[0], tileIdToZxy(last.tileId + last.runLength - 1)[0]];
  }
}

/** A v3 directory: count, then tile-id deltas, run lengths, lengths and offsets as varints. */
export function serializeDirectory(entries: readonly Entry[]): Uint8Array {
  // A varint of a number below 2^53 takes at most 8 bytes; four per entry, plus the count.
  const out = new Uint8Array(10 + entries.length * 32);
  let at = 0;
  const varint = (value: number) => {
    let v = value;
    // Division for what bit operations (32-bit) cannot hold, shifts for the rest (nearly every value).
    while (v > 0xffffffff) {
      out[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    while (v >= 0x80) {
      out[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[at++] = v;
  };
  varint(entries.length);
  let lastId = 0;
  for (const e of entries) {
    varint(e.tileId - lastId);
    lastId = e.tileId;
  }
  for (const e of entries) varint(e.runLength);
  for (const e of entries) varint(e.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const prev = entries[i - 1];
    varint(prev && e.offset === prev.offset + prev.length ? 0 : e.offset + 1);
  }
  return out.slice(0, at);
}

export interface DirectoryOptions {
  /** Compresses a serialised directory (the archive's internal compression). */
  pack: (bytes: Uint8Array) => Uint8Array;
  /** The most bytes the root may take; default what the first 16 KiB leave after the header. */
  maxRootBytes?: number;
  /** Entries per leaf, forced (tests use it to get leaves from few tiles); default: chosen to fit. */
  leafSize?: number;
}

export interface Directories {
  root: Uint8Array;
  /** Packed leaf directories, in order; the root's pointers count offsets from the first one. */
  leaves: Uint8Array[];
  leavesLength: number;
}

/**
 * The root directory alone when it fits, else leaves of `leafSize` entries and a root of pointers
 * to them. Without a forced size, leaves start at 4096 entries (or entries / 3500, as go-pmtiles)
 * and grow by a fifth until the root fits.
 */
export function buildDirectories(entries: readonly Entry[], options: DirectoryOptions): Directories {
  const steps = directorySteps(entries, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** `buildDirectories` giving the event loop a turn after each directory it packs (600k tiles take a second). */
export async function buildDirectoriesInTurns(entries: readonly Entry[], options: DirectoryOptions, turn: () => Promise<void>): Promise<Directories> {
  const steps = directorySteps(entries, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await turn();
  }
}

/** A root of 16 KiB holds fewer entries than this, however well they compress (as go-pmtiles). */
const ROOT_ONLY_ENTRIES = 16_384;

/** The work of buildDirectories, pausing (yielding) after each directory it packs. */
function* directorySteps(entries: readonly Entry[], options: DirectoryOptions): Generator<void, Directories> {
  const maxRoot = options.maxRootBytes ?? ROOT_LIMIT - HEADER_BYTES;
  const forced = options.leafSize;
  if (forced === undefined ? entries.length < ROOT_ONLY_ENTRIES || maxRoot === Number.POSITIVE_INFINITY : entries.length <= forced) {
    const root = options.pack(serializeDirectory(entries));
    if (root.byteLength <= maxRoot || forced !== undefined) return checkedRoot({ root, leaves: [], leavesLength: 0 }, maxRoot);
    yield;
  }
  for (let leafSize = forced ?? Math.max(4096, Math.ceil(entries.length / 3500)); ; leafSize = Math.ceil(leafSize * 1.2)) {
    const pointers: Entry[] = [];
    const leaves: Uint8Array[] = [];
    let leavesLength = 0;
    for (let i = 0; i < entries.length; i += leafSize) {
      const leaf = options.pack(serializeDirectory(entries.slice(i, i + leafSize)));
      pointers.push({ tileId: entries[i]!.tileId, offset: leavesLength, length: leaf.byteLength, runLength: 0 });
      leaves.push(leaf);
      leavesLength += leaf.byteLength;
      yield;
    }
    const split = { root: options.pack(serializeDirectory(pointers)), leaves, leavesLength };
    if (split.root.byteLength <= maxRoot || forced !== undefined) return checkedRoot(split, maxRoot);
  }
}

function checkedRoot(directories: Directories, maxRoot: number): Directories {
  if (directories.root.byteLength > maxRoot) {
    throw new Error(`root directory of ${directories.root.byteLength} bytes does not fit in the first 16 KiB (${maxRoot} bytes): use larger leaves`);
  }
  return directories;
}

/** The 127-byte v3 header; the inverse of the pmtiles package's bytesToHeader. */
export function serializeHeader(h: Header): Uint8Array {
  const view = new DataView(new ArrayBuffer(HEADER_BYTES));
  new Uint8Array(view.buffer).set(new TextEncoder().encode('PMTiles'), 0);
  view.setUint8(7, 3);
  const u64 = (at: number, v: number) => view.setBigUint64(at, BigInt(v), true);
  const e7 = (at: number, degrees: number) => view.setInt32(at, Math.round(degrees * 1e7), true);
  u64(8, h.rootDirectoryOffset);
  u64(16, h.rootDirectoryLength);
  u64(24, h.jsonMetadataOffset);
  u64(32, h.jsonMetadataLength);
  u64(40, h.leafDirectoryOffset);
  u64(48, h.leafDirectoryLength ?? 0);
  u64(56, h.tileDataOffset);
  u64(64, h.tileDataLength ?? 0);
  u64(72, h.numAddressedTiles);
  u64(80, h.numTileEntries);
  u64(88, h.numTileContents);
  view.setUint8(96, h.clustered ? 1 : 0);
  view.setUint8(97, h.internalCompression);
  view.setUint8(98, h.tileCompression);
  view.setUint8(99, h.tileType);
  view.setUint8(100, h.minZoom);
  view.setUint8(101, h.maxZoom);
  e7(102, h.minLon);
  e7(106, h.minLat);
  e7(110, h.maxLon);
  e7(114, h.maxLat);
  view.setUint8(118, h.centerZoom);
  e7(119, h.centerLon);
  e7(123, h.centerLat);
  return new Uint8Array(view.buffer);
}

/** Where an archive's sections sit: [offset, length] in bytes. */
export interface SectionPlacement {
  root: [number, number];
  metadata: [number, number];
  leaves: [number, number];
  data: [number, number];
}

/** What the header says of the tileset besides its entries. */
export interface TilesetHeader {
  internalCompression: Compression;
  tileCompression: Compression;
  tileType: TileType;
  /** [minLon, minLat, maxLon, maxLat]. */
  bounds: [number, number, number, number];
  /** [lon, lat, zoom]; the zoom is kept within the archive's zooms. */
  center: [number, number, number];
}

/** The 127-byte header of an archive holding `archive`'s entries (clustered: contents in tile-id order). */
export function archiveHeader(archive: ArchiveEntries, sections: SectionPlacement, tileset: TilesetHeader): Uint8Array {
  const [minZoom, maxZoom] = archive.zoomRange();
  const [minLon, minLat, maxLon, maxLat] = tileset.bounds;
  const [centerLon, centerLat, centerZoom] = tileset.center;
  return serializeHeader({
    specVersion: 3,
    rootDirectoryOffset: sections.root[0],
    rootDirectoryLength: sections.root[1],
    jsonMetadataOffset: sections.metadata[0],
    jsonMetadataLength: sections.metadata[1],
    leafDirectoryOffset: sections.leaves[0],
    leafDirectoryLength: sections.leaves[1],
    tileDataOffset: sections.data[0],
    tileDataLength: sections.data[1],
    numAddressedTiles: archive.addressedTiles,
    numTileEntries: archive.entries.length,
    numTileContents: archive.contents,
    clustered: true,
    internalCompression: tileset.internalCompression,
    tileCompression: tileset.tileCompression,
    tileType: tileset.tileType,
    minZoom,
    maxZoom,
    minLon,
    minLat,
    maxLon,
    maxLat,
    centerZoom: Math.min(maxZoom, Math.max(minZoom, Math.round(centerZoom))),
    centerLon,
    centerLat,
  });
}
