/**
 * A labelled row of a form (settings, preseed, Esri wizard): the control, its help, and its error,
 * announced and tied to the control with aria-describedby.
 */
import { type ReactNode, useId } from 'react';
import './forms.css';

export interface FieldProps {
  label: string;
  help?: ReactNode;
  error?: string | undefined;
  /** Several controls: named by aria-labelledby on a group, since a <label> names one control. */
  group?: boolean;
  children: (id: string, describedBy: string, invalid: boolean) => ReactNode;
}

export function Field({ label, help, error, group, children }: FieldProps) {
  const id = useId();
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      {group ? (
        <span id={`${id}-label`} className="field-label">
          {label}
        </span>
      ) : (
        <label id={`${id}-label`} htmlFor={id} className="field-label">
          {label}
        </label>
      )}
      <div className="field-control" {...(group ? { role: 'group', 'aria-labelledby': `${id}-label` } : {})}>
        {children(id, describedBy, error !== undefined)}
        {error && (
          <div id={`${id}-error`} className="field-error" role="alert">
            {error}
          </div>
        )}
        {help && (
          <div id={`${id}-help`} className="field-help small muted">
            {help}
          </div>
        )}
      </div>
    </div>
  );
}
