/**
 * A one-line progress bar for terminals: percent, counts, rate and ETA, redrawn in place on stderr.
 * Not drawn when stderr is not a terminal (logs and pipes get no carriage-return noise).
 */
import { formatClock } from '../../shared/format.js';
import type { JobProgress } from '../../shared/contract.js';

export function formatProgress(p: JobProgress, width = 24, unit = 'tiles'): string {
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(ratio * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const n = (v: number) => v.toLocaleString('en-US');
  const failed = p.failed > 0 ? `, ${n(p.failed)} bad` : '';
  const rate = p.rate > 0 ? ` ${n(Math.round(p.rate))}/s` : '';
  const eta = p.etaSeconds === null ? '' : ` ETA ${formatClock(p.etaSeconds)}`;
  return `${bar} ${(ratio * 100).toFixed(1).padStart(5)}% ${n(p.done)}/${n(p.total)} ${unit}${failed}${rate}${eta}`;
}

export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
  }

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(progress: JobProgress): void {
    if (!this.enabled) return;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 60));
    this.stream.write(`\r\x1b[2K${formatProgress(progress, width)}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
