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
  /**
   * What follows the error and the help (the preseed box's extent map): a tall part of the control
   * placed after them, so that the reason a field is wrong stays beside the inputs that are wrong
   * rather than below a map, out of sight in a 700-px-high window.
   */
  after?: ReactNode;
}

export function Field({ label, help, error, group, children, after }: FieldProps) {
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
        {after}
      </div>
    </div>
  );
}
