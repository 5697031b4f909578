/**
 * The sources a `tessera worker` has open for raster blocks, by path: inspected and opened once
 * (as the engine's item does), kept while blocks of them keep coming, the least recently used
 * closed beyond `keep`. A source that cannot be opened is not kept: the next block tries again
 * (shared storage that was not mounted yet may be by then).
 */
import { inspectDataset } from '../preseed/raster/dataset-info.js';
import { renderSpec } from '../preseed/raster/render-spec.js';
import { WarpSource } from '../preseed/raster/warp-source.js';

/** Dataset handles per source: warps of one source that may run at once in this worker. */
const HANDLES = 2;

export class BlockSources {
  private readonly open = new Map<string, Promise<WarpSource>>();

  constructor(private readonly keep = 4) {}

  get(path: string): Promise<WarpSource> {
    const known = this.open.get(path);
    if (known !== undefined) {
      // Most recently used last.
      this.open.delete(path);
      this.open.set(path, known);
      return known;
    }
    const opening = inspectDataset(path).then((info) => WarpSource.open(info, renderSpec(info), HANDLES));
    this.open.set(path, opening);
    opening.catch(() => this.open.delete(path));
    while (this.open.size > this.keep) {
      const [oldest, source] = this.open.entries().next().value as [string, Promise<WarpSource>];
      this.open.delete(oldest);
      // Closes once its running warps finish (WarpSource.close waits for them).
      void source.then((s) => s.close()).catch(() => {});
    }
    return opening;
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map(async (s) => (await s).close()));
  }
}
