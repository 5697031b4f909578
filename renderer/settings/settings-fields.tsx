/**
 * The settings form's own rows: a value switched off or on by two radios, and a byte size typed
 * in a unit whose switch converts the number (500 GiB becomes 512000 MiB, never 500 MiB).
 */
import { type ReactNode, useRef } from 'react';
import { Field } from '../forms/field.js';
import { NumberInput } from '../forms/inputs.js';
import { BYTE_UNITS, type ByteUnit, convertInput } from '../storage/bytes.js';

/** A row whose value is switched off or on by two radios (`off` and `on` their words), the value's controls after them. */
export function SwitchedField({
  label,
  error,
  help,
  name,
  off,
  on,
  isOn,
  onSwitch,
  children,
}: {
  label: string;
  error: string | undefined;
  help: string;
  name: string;
  off: string;
  on: string;
  isOn: boolean;
  onSwitch: (on: boolean) => void;
  children: (describedBy: string, invalid: boolean) => ReactNode;
}) {
  return (
    <Field group label={label} error={error} help={help}>
      {(id, describedBy, invalid) => (
        <div className="choice" role="radiogroup" aria-labelledby={`${id}-label`} id={id}>
          <label>
            <input type="radio" name={name} checked={!isOn} onChange={() => onSwitch(false)} /> {off}
          </label>
          <label>
            <input type="radio" name={name} checked={isOn} onChange={() => onSwitch(true)} /> {on}
          </label>
          {children(describedBy, invalid)}
        </div>
      )}
    </Field>
  );
}

/** A size in bytes as typed: a number (labelled `label`, unless `id` ties it to its row's label) and its unit. */
export function ByteSize({
  id,
  label,
  unitLabel = `${label} unit`,
  field,
  describedBy,
  invalid,
  disabled,
  value,
  unit,
  onChange,
}: {
  id?: string;
  label: string;
  unitLabel?: string;
  field: string;
  describedBy: string;
  invalid: boolean;
  disabled?: boolean;
  value: string;
  unit: ByteUnit;
  onChange: (change: { value?: string; unit?: ByteUnit }) => void;
}) {
  // The exact bytes behind a text a unit switch wrote: switching again converts from them, not from
  // the rounded text (500 MiB → 0.488 GiB → 500 MiB, never 499.712 MiB). A typed edit forgets them.
  const exact = useRef<{ text: string; unit: ByteUnit; bytes: number } | null>(null);
  const switchUnit = (to: ByteUnit) => {
    const known = exact.current;
    const bytes = known !== null && known.text === value && known.unit === unit ? known.bytes : Number(value) * BYTE_UNITS[unit];
    const text = convertInput(value, unit, to, bytes);
    exact.current = text === value && to === unit ? known : { text, unit: to, bytes };
    onChange({ unit: to, value: text });
  };
  return (
    <>
      <NumberInput
        {...(id === undefined ? { 'aria-label': label } : { id })}
        field={field}
        describedBy={describedBy}
        invalid={invalid}
        min={0}
        step="any"
        className="short"
        disabled={disabled}
        value={value}
        onValue={(v) => onChange({ value: v })}
      />
      <UnitPicker label={unitLabel} value={unit} disabled={disabled} onChange={switchUnit} />
    </>
  );
}

function UnitPicker({ label, value, disabled, onChange }: { label: string; value: ByteUnit; disabled?: boolean; onChange: (unit: ByteUnit) => void }) {
  return (
    <select aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value as ByteUnit)}>
      {(Object.keys(BYTE_UNITS) as ByteUnit[]).map((u) => (
        <option key={u} value={u}>
          {u}
        </option>
      ))}
    </select>
  );
}
