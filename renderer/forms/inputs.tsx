/**
 * The controls the forms kit's rows hold (settings, preseed): an input tied to its field (data-field,
 * aria-describedby, aria-invalid) that reports its value as text, a number input, and whole rows
 * of one text or number input.
 */
import type { InputHTMLAttributes, ReactNode } from 'react';
import { Field } from './field.js';

export interface InputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> {
  /** The field (contract path) the input edits, for data-field. */
  field?: string | undefined;
  value: string;
  onValue: (value: string) => void;
  describedBy?: string | undefined;
  invalid?: boolean | undefined;
}

/** An input of a form's field. */
export function FieldInput({ field, value, onValue, describedBy, invalid, ...rest }: InputProps) {
  return (
    <input data-field={field} aria-describedby={describedBy} aria-invalid={invalid} {...rest} value={value} onChange={(e) => onValue(e.currentTarget.value)} />
  );
}

/** A number input of a form's field (typed as text, checked by the form). */
export function NumberInput(props: Omit<InputProps, 'type'>) {
  return <FieldInput type="number" {...props} />;
}

interface RowProps {
  label: string;
  help?: ReactNode;
  error?: string | undefined;
}

/** A row of one text input, wide unless `className` says otherwise. */
export function TextField({ label, help, error, ...input }: RowProps & Omit<InputProps, 'id' | 'describedBy'>) {
  return (
    <Field label={label} error={error} help={help}>
      {(id, describedBy, bad) => <FieldInput id={id} describedBy={describedBy} invalid={bad} className="wide" {...input} />}
    </Field>
  );
}

/**
 * A row of one number input (short, whole numbers unless `step` says otherwise); with a `unit`, the
 * input and the unit's words stand in a row. `invalid` overrides the row's own error for the input.
 */
export function NumberField({
  label,
  help,
  error,
  unit,
  invalid,
  step = 1,
  className = 'short',
  ...input
}: RowProps & { unit?: string } & Omit<InputProps, 'id' | 'describedBy' | 'type'>) {
  return (
    <Field label={label} error={error} help={help}>
      {(id, describedBy, bad) => {
        const control = <NumberInput id={id} describedBy={describedBy} invalid={invalid ?? bad} step={step} className={className} {...input} />;
        if (unit === undefined) return control;
        return (
          <div className="choice">
            {control}
            {unit && <span className="muted small">{unit}</span>}
          </div>
        );
      }}
    </Field>
  );
}

/** A row of one checkbox, `children` its words. */
export function CheckField({
  label,
  help,
  error,
  field,
  checked,
  onChecked,
  children,
}: RowProps & { field: string; checked: boolean; onChecked: (checked: boolean) => void; children: ReactNode }) {
  return (
    <Field label={label} error={error} help={help}>
      {(id, describedBy) => (
        <label className="check">
          <input
            id={id}
            data-field={field}
            aria-describedby={describedBy}
            type="checkbox"
            checked={checked}
            onChange={(e) => onChecked(e.currentTarget.checked)}
          />{' '}
          {children}
        </label>
      )}
    </Field>
  );
}

/** A search box, `label` its name. */
export function SearchInput({ label, ...input }: { label: string } & Omit<InputProps, 'type' | 'aria-label'>) {
  return <FieldInput type="search" aria-label={label} {...input} />;
}
