/**
 * One engine on a fresh data directory for a test file's ingests (floor 0, quick backoff), with a
 * folder for the files the tests write, and `ingest` that waits for the job and its analyses.
 * Registers its own `before`/`after`, so call it once at the top of a test file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { CatalogDataset, JobItem, JobSummary } from '../../../shared/contract.js';
import { Engine } from '../../engine/engine.js';
import { createLogger } from '../../logging/logger.js';
import { startHeadless } from '../../hosts/start-headless.js';
import { hostedEngine } from '../../engine/hosted-engine.js';

export interface IngestOutcome {
  job: JobSummary;
  items: JobItem[];
  datasets: CatalogDataset[];
}

export interface IngestBed {
  /** The test file's temporary folder (removed after it). */
  readonly root: string;
  /** Where the tests write their input files. */
  readonly files: string;
  /** The engine, once `before` has run. */
  readonly engine: Engine;
  /** Ingests `paths` and waits for the job and for the analyses of what it added (counts, previews). */
  ingest(paths: string[]): Promise<IngestOutcome>;
  /**
   * Sends `body` named `name` through a real headless host's upload route on a loopback port, as
   * the console does, and returns the `upload:…` reference an ingest takes (the reply when refused).
   */
  upload(name: string, body: Buffer): Promise<{ status: number; file: string | null; reply: unknown }>;
}

export function ingestTestBed(name: string): IngestBed {
  const root = mkdtempSync(join(tmpdir(), `tessera-${name}-`));
  const files = join(root, 'files');
  let engine: Engine | null = null;
  before(async () => {
    mkdirSync(files);
    engine = await Engine.open({
      dataDir: join(root, 'data'),
      host: 'headless',
      threads: 1,
      logger: createLogger('silent'),
      backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
  });
  after(async () => {
    await engine?.close();
    rmSync(root, { recursive: true, force: true });
  });
  const bed: IngestBed = {
    root,
    files,
    get engine(): Engine {
      if (!engine) throw new Error('the ingest bed is used before its engine opened');
      return engine;
    },
    async ingest(paths) {
      const e = bed.engine;
      const started = await e.start({ kind: 'ingest', params: { files: paths } });
      const job = await e.waitFor(started.id);
      await e.catalog.analysesDone();
      return { job, items: e.store.listItems(job.id, { limit: 1000 }).rows, datasets: e.catalog.madeBy(job.id) };
    },
    async upload(name, body) {
      const e = bed.engine;
      const rendererDir = mkdtempSync(join(files, 'renderer-'));
      writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
      const host = await startHeadless(hostedEngine(e), { rendererDir, port: 0, logger: { info() {}, warn() {}, debug() {}, error() {} } });
      try {
        const response = await fetch(`${host.origin}/uploads?name=${encodeURIComponent(name)}&size=${body.length}`, {
          method: 'POST',
          body,
          headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/octet-stream' },
        });
        const reply = (await response.json()) as { result?: { file?: string } };
        return { status: response.status, file: reply.result?.file ?? null, reply };
      } finally {
        await host.close();
      }
    },
  };
  return bed;
}
