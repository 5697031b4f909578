/**
 * A form's error state in one hook: what was touched, whether a submit was tried, what the engine
 * refused by field; and from them what shows at each field (field-errors.ts has the rules).
 */
import { useCallback, useMemo, useState } from 'react';
import { type FieldError, type FieldErrors, firstError, focusFirstInvalid, related, serverFieldErrors, visibleErrors, withoutGroups } from './field-errors.js';

export interface FormErrors {
  /** Every error on show, by field. */
  visible: FieldErrors;
  /** Whether a submit was tried (and so every error shows). */
  tried: boolean;
  /** The engine's field errors from the last refused submit. */
  server: FieldErrors;
  /** The first error on show among `groups`, with its field. */
  first(...groups: string[]): FieldError | null;
  /** The message of the first error on show among `groups`. */
  errorFor(...groups: string[]): string | undefined;
  /** Whether a control at `field` has an error on show (at it, above it or under it). */
  invalid(field: string): boolean;
  /** The operator changed `groups`: their own errors show at once, the engine's about them are stale. */
  edited(groups: readonly string[]): void;
  /** As `edited`, but their own errors wait until the field is left (a URL is wrong until typed to its end). */
  changed(groups: readonly string[]): void;
  /** The operator left `groups` (blur): their own errors may show; the engine's still stand, nothing changed. */
  left(groups: readonly string[]): void;
  /** A submit was tried. */
  submitted(): void;
  /**
   * A submit of the form under `root` was tried: whether it may go on (`client`, the form's own
   * verdict, has no error, and the engine's last word no longer stands); if not, the first invalid
   * control under `root` gets the focus.
   */
  submitting(root: ParentNode, client: FieldErrors): boolean;
  /** The engine refused a submit: its BAD_INPUT lands on the fields it names; anything else on none. */
  rejected(error: unknown): void;
  /** Before sending again: the engine's last word no longer stands. */
  clearServer(): void;
  /** Back to an untouched form. */
  reset(): void;
}

/**
 * @param client the form's own verdict, by field (usually from the contract's zod schema)
 * @param engine other field errors of the engine's that always show (a dry run's), before a submit's
 */
export function useFormErrors(client: FieldErrors, engine: FieldErrors = NONE): FormErrors {
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [tried, setTried] = useState(false);
  const [server, setServer] = useState<FieldErrors>(NONE);

  const visible = useMemo(() => visibleErrors({ client, touched, tried, engine: [engine, server] }), [client, touched, tried, engine, server]);

  const left = useCallback((groups: readonly string[]) => {
    setTouched((prev) => (groups.every((g) => prev.has(g)) ? prev : new Set([...prev, ...groups])));
  }, []);
  const changed = useCallback((groups: readonly string[]) => {
    setServer((prev) => {
      const kept = withoutGroups(prev, groups);
      return Object.keys(kept).length === Object.keys(prev).length ? prev : kept;
    });
  }, []);
  const edited = useCallback(
    (groups: readonly string[]) => {
      changed(groups);
      left(groups);
    },
    [changed, left],
  );
  const reset = useCallback(() => {
    setTouched(new Set());
    setTried(false);
    setServer(NONE);
  }, []);

  const first = (...groups: string[]) => firstError(visible, groups);
  return {
    visible,
    tried,
    server,
    first,
    errorFor: (...groups) => first(...groups)?.message,
    invalid: (field) => Object.keys(visible).some((f) => related(f, field)),
    edited,
    changed,
    left,
    submitted: () => setTried(true),
    submitting: (root, client) => {
      setTried(true);
      if (Object.keys(client).length > 0) {
        focusFirstInvalid(root, client);
        return false;
      }
      setServer(NONE);
      return true;
    },
    rejected: (error) => setServer(serverFieldErrors(error) ?? NONE),
    clearServer: () => setServer(NONE),
    reset,
  };
}

const NONE: FieldErrors = {};
