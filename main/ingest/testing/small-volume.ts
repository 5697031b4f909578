/**
 * A real small volume for disk-full tests: a tmpfs of a few MiB mounted on a fresh folder, on which
 * writes fail with ENOSPC. Needs root (CI and these machines run tests as root); when the mount is
 * refused, `mountSmallVolume` returns the reason so the test can skip with it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';

export interface SmallVolume {
  dir: string;
  unmount(): void;
}

/** Mounts a `megabytes`-MiB tmpfs on `dir` (created), or returns why it could not. */
export function mountSmallVolume(dir: string, megabytes: number): SmallVolume | { refused: string } {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { refused: `mount -t tmpfs refused (${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()})` };
  }
  let mounted = true;
  return {
    dir,
    unmount() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
