/**
 * A one-line progress bar for terminals: percent, counts, rate and ETA, redrawn in place on stderr.
 * Not drawn when stderr is not a terminal (logs and pipes get no carriage-return noise).
 */
import { type ProgressUnit, formatAmount, formatClock, formatUnitRate } from '../../shared/format.js';
import type { JobProgress } from '../../shared/contract.js';

/** "███░░  42.0% 1,234/2,938 tiles, 3 bad 812 tiles/s ETA 0:02"; bytes as sizes ("12 MiB/40 MiB"). */
export function formatProgress(p: JobProgress, width = 24, unit: ProgressUnit = 'tiles'): string {
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(ratio * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const n = (v: number) => v.toLocaleString('en-US');
  const counts = unit === 'bytes' ? `${formatAmount(p.done, unit)}/${formatAmount(p.total, unit)}` : `${n(p.done)}/${formatAmount(p.total, unit)}`;
  const failed = p.failed > 0 ? `, ${unit === 'bytes' ? formatAmount(p.failed, unit) : n(p.failed)} bad` : '';
  const rate = p.rate > 0 ? ` ${formatUnitRate(p.rate, unit)}` : '';
  const eta = p.etaSeconds === null ? '' : ` ETA ${formatClock(p.etaSeconds)}`;
  return `${bar} ${(ratio * 100).toFixed(1).padStart(5)}% ${counts}${failed}${rate}${eta}`;
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

  update(progress: JobProgress, unit: ProgressUnit = 'tiles'): void {
    if (!this.enabled) return;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 60));
    this.stream.write(`\r\x1b[2K${formatProgress(progress, width, unit)}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
