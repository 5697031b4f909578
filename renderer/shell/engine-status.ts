/**
 * What the console knows of the engine process: its last `engine.state` event (set by
 * engine-events.ts), and the header's health pills worked out from it.
 *
 * While the engine process restarts, app.health answers with the supervisor's `engine` check alone
 * (the other checks run inside the engine), so the pills from before the crash are kept, marked
 * stale, rather than vanishing; and the engine pill says "restarting" (amber, a wait) rather than
 * "failed" (red, a fault), which it only says once Tessera gave up restarting it.
 */
import { create } from 'zustand';
import type { EngineState, HealthCheck } from '../../shared/contract.js';

interface EngineStatusState {
  /** The last engine.state event; null until the engine first crashes (nothing to say before). */
  engine: EngineState | null;
  setEngine(engine: EngineState): void;
}

export const useEngineStatus = create<EngineStatusState>((set) => ({
  engine: null,
  setEngine: (engine) => set({ engine }),
}));

/**
 * Marks the engine stopped from a request's ENGINE_STOPPED error: a console opened after the engine
 * stopped restarting never saw the engine.state event that said so.
 */
export function noteEngineStopped(error: unknown): void {
  if (typeof error !== 'object' || error === null || !('code' in error) || error.code !== 'ENGINE_STOPPED') return;
  const { engine, setEngine } = useEngineStatus.getState();
  if (engine?.state === 'stopped') return;
  setEngine({ state: 'stopped', message: error instanceof Error ? error.message : 'the engine is not running', restarts: engine?.restarts ?? 0 });
}

/** True while the engine process is down (restarting or stopped): live numbers on screen are stale. */
export function engineDown(engine: EngineState | null): boolean {
  return engine !== null && engine.state !== 'running';
}

export interface HealthPill {
  name: string;
  label: string;
  /** The CSS tone: a check's own state, `restarting` (amber) or `stale` (a check from before the crash). */
  tone: HealthCheck['state'] | 'restarting' | 'stale';
  title: string;
  checkedAt: string;
}

/**
 * The pills to show for the health checks `current`, given the last answer that had the engine's
 * own checks in it (`previous`) and the engine's last state.
 */
export function healthPills(current: readonly HealthCheck[], previous: readonly HealthCheck[] | undefined, engine: EngineState | null): HealthPill[] {
  const pills: HealthPill[] = current.map((h) => {
    if (h.name === 'engine' && h.state === 'failed' && engine?.state === 'restarting')
      return { name: h.name, label: 'engine: restarting', tone: 'restarting', title: engine.message, checkedAt: h.checkedAt };
    if (h.name === 'engine' && h.state === 'failed' && engine?.state === 'stopped')
      return { name: h.name, label: 'engine: stopped', tone: 'failed', title: engine.message, checkedAt: h.checkedAt };
    return { name: h.name, label: `${h.name}: ${h.state}`, tone: h.state, title: h.message, checkedAt: h.checkedAt };
  });
  if (!engineDown(engine) || previous === undefined) return pills;
  const shown = new Set(current.map((h) => h.name));
  for (const h of previous) {
    if (shown.has(h.name)) continue;
    pills.push({
      name: h.name,
      label: `${h.name}: ${h.state}`,
      tone: 'stale',
      title: `${h.message} (as of before the engine went down; not checked since)`,
      checkedAt: h.checkedAt,
    });
  }
  return pills;
}

/** The narrow header's one pill: "4 checks · 1 failing", "engine: restarting", or "3 checks ok". */
export function summaryText(pills: readonly HealthPill[]): string {
  const engine = pills.find((p) => p.name === 'engine' && p.tone !== 'ok');
  if (engine) return engine.label;
  const failing = pills.filter((p) => p.tone === 'failed').length;
  const count = `${pills.length} ${pills.length === 1 ? 'check' : 'checks'}`;
  return failing > 0 ? `${count} · ${failing} failing` : `${count} ok`;
}

/** The summary pill's colour: the worst of the pills. */
export function summaryTone(pills: readonly HealthPill[]): HealthPill['tone'] {
  if (pills.some((p) => p.tone === 'failed')) return 'failed';
  if (pills.some((p) => p.tone === 'restarting')) return 'restarting';
  return 'ok';
}
