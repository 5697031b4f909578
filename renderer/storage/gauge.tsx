/**
 * A horizontal gauge of bytes used out of a total, as an accessible meter: role=meter with the
 * numbers in aria-value*, and the same numbers as visible text, so nothing is told by colour alone.
 */

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

export function Gauge({ label, used, total, mark, text, valueText, tone }: GaugeProps) {
  const pct = (bytes: number) => (total > 0 ? Math.min(100, Math.max(0, (100 * bytes) / total)) : 0);
  return (
    <div className={`gauge tone-${tone}`}>
      <div className="gauge-label">{label}</div>
      {/* biome-ignore lint/a11y/useSemanticElements: a styled track with a fill and tone colours, which <meter> cannot take */}
      <div
        className="gauge-track"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={Math.min(used, total)}
        aria-valuetext={valueText}
      >
        <div className="gauge-fill" style={{ width: `${pct(used)}%` }} />
        {mark && <div className="gauge-mark" style={{ left: `${pct(mark.at)}%` }} title={mark.label} aria-hidden="true" />}
      </div>
      <div className="gauge-text small">{text}</div>
    </div>
  );
}
