/**
 * A horizontal gauge of bytes used out of a total, as an accessible meter: role=meter with the
 * numbers in aria-value*, and the same numbers as visible text, so nothing is told by colour alone.
 */
import type { ReactNode } from 'react';

export interface GaugeProps {
  label: string;
  used: number;
  total: number;
  /** A mark on the gauge (e.g. where the free-space floor starts), in bytes used. */
  mark?: { at: number; label: string };
  /** Visible text under the gauge. */
  text: string;
  /** Spoken value, e.g. "120 GiB used of 500 GiB, 380 GiB free". */
  valueText: string;
  tone: 'ok' | 'warn' | 'bad';
}

/** `bytes` as a percentage of `total`, 0 to 100. */
export function percentOf(bytes: number, total: number): number {
  return total > 0 ? Math.min(100, Math.max(0, (100 * bytes) / total)) : 0;
}

/** The track of a meter (role=meter, the numbers in aria-value*) and its fill; `children` drawn over it. */
export function MeterTrack({
  label,
  used,
  total,
  valueText,
  className,
  fillClassName,
  children,
}: {
  label: string;
  used: number;
  total: number;
  valueText: string;
  className: string;
  fillClassName?: string;
  children?: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a styled track with a fill and tone colours, which <meter> cannot take
    <div
      className={className}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={Math.min(used, total)}
      aria-valuetext={valueText}
    >
      <div className={fillClassName} style={{ width: `${percentOf(used, total)}%` }} />
      {children}
    </div>
  );
}

export function Gauge({ label, used, total, mark, text, valueText, tone }: GaugeProps) {
  return (
    <div className={`gauge tone-${tone}`}>
      <div className="gauge-label">{label}</div>
      <MeterTrack className="gauge-track" fillClassName="gauge-fill" label={label} used={used} total={total} valueText={valueText}>
        {mark && <div className="gauge-mark" style={{ left: `${percentOf(mark.at, total)}%` }} title={mark.label} aria-hidden="true" />}
      </MeterTrack>
      <div className="gauge-text small">{text}</div>
    </div>
  );
}
