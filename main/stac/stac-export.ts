/**
 * `tessera stac export DIR`: a self-contained static STAC catalogue of what Tessera holds, laid out
 * as STAC best practices say (catalog.json, <collection>/collection.json,
 * <collection>/<item>/<item>.json, every link relative), assets pointing at the files themselves
 * (file:// URLs) with their size and SHA-256 multihash. Written beside the target and renamed over
 * it, so a reader never sees half a catalogue; an existing folder is replaced only if it is a
 * catalogue (its catalog.json) or empty.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CatalogDataset, JobSummary, StacExportResult, TileCacheSummary } from '../../shared/contract.js';
import { badInputAt } from '../../shared/errors.js';
import { type CollectionId, COLLECTIONS, STAC_VERSION, type StacItem, cacheItem, collectionOf, datasetItem } from './stac-objects.js';

export interface StacHoldings {
  /** Every dataset of the catalogue. */
  datasets(): Promise<CatalogDataset[]>;
  /** Finished preseed jobs (succeeded or partial), newest first, with the cache each wrote. */
  cacheJobs(): Promise<{ job: JobSummary; cache: string }[]>;
  openCache(path: string): Promise<TileCacheSummary>;
}

/** sha2-256 as a multihash (0x12, 32 bytes, digest), hex: what file:checksum holds. */
export async function multihashSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `1220${hash.digest('hex')}`;
}

/** Every Item of the holdings, the caches that can no longer be opened left out (and counted). */
export async function stacItems(holdings: StacHoldings, checksums: boolean): Promise<{ items: StacItem[]; skipped: string[] }> {
  const items: StacItem[] = [];
  const skipped: string[] = [];
  for (const dataset of await holdings.datasets()) {
    if (!existsSync(dataset.path)) {
      skipped.push(`dataset ${dataset.id}: ${dataset.path} is gone`);
      continue;
    }
    const size = (await stat(dataset.path)).size;
    items.push(datasetItem(dataset, { href: pathToFileURL(dataset.path).href, size, checksum: checksums ? await multihashSha256(dataset.path) : undefined }));
  }
  const seen = new Set<string>();
  for (const { job, cache } of await holdings.cacheJobs()) {
    // One item per cache: the newest job that wrote it describes it.
    if (seen.has(cache)) continue;
    seen.add(cache);
    try {
      const summary = await holdings.openCache(cache);
      const info = await stat(cache);
      const file = info.isFile();
      items.push(
        cacheItem(job, summary, { href: pathToFileURL(cache).href, size: info.size, checksum: checksums && file ? await multihashSha256(cache) : undefined }),
      );
    } catch (error) {
      skipped.push(`job ${job.id}: ${cache} cannot be read (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return { items, skipped };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

export async function exportStac(directory: string, holdings: StacHoldings, options: { checksums?: boolean; title?: string } = {}): Promise<StacExportResult> {
  if (existsSync(directory)) {
    const entries = await readdir(directory).catch(() => null);
    if (entries === null) throw badInputAt('directory', `${directory} is not a folder`);
    if (entries.length > 0 && !entries.includes('catalog.json'))
      throw badInputAt('directory', `${directory} holds other files: give an empty folder, a new one, or an earlier export`);
  }
  const { items, skipped } = await stacItems(holdings, options.checksums ?? true);
  const partial = join(dirname(directory), `.${basename(directory)}.partial-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  try {
    const ids = Object.keys(COLLECTIONS) as CollectionId[];
    await writeJson(join(partial, 'catalog.json'), {
      type: 'Catalog',
      stac_version: STAC_VERSION,
      id: 'tessera',
      title: options.title ?? 'Tessera',
      description: 'The datasets and tile caches one Tessera data directory holds.',
      links: [
        { rel: 'root', href: './catalog.json', type: 'application/json' },
        { rel: 'self', href: './catalog.json', type: 'application/json' },
        ...ids.map((id) => ({ rel: 'child', href: `./${id}/collection.json`, type: 'application/json', title: COLLECTIONS[id].title })),
      ],
    });
    for (const id of ids) {
      const members = items.filter((i) => i.collection === id);
      const collection = collectionOf(id, members);
      collection.links = [
        { rel: 'root', href: '../catalog.json', type: 'application/json' },
        { rel: 'parent', href: '../catalog.json', type: 'application/json' },
        { rel: 'self', href: './collection.json', type: 'application/json' },
        ...members.map((i) => ({ rel: 'item', href: `./${i.id}/${i.id}.json`, type: 'application/geo+json' })),
      ];
      await writeJson(join(partial, id, 'collection.json'), collection);
      for (const item of members) {
        item.links = [
          { rel: 'root', href: '../../catalog.json', type: 'application/json' },
          { rel: 'parent', href: '../collection.json', type: 'application/json' },
          { rel: 'collection', href: '../collection.json', type: 'application/json' },
          { rel: 'self', href: `./${item.id}.json`, type: 'application/geo+json' },
        ];
        await writeJson(join(partial, id, item.id, `${item.id}.json`), item);
      }
    }
    await rm(directory, { recursive: true, force: true });
    await rename(partial, directory);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  return { directory, collections: Object.keys(COLLECTIONS).length, items: items.length, skipped };
}
