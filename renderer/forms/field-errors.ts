/**
 * Field errors, as every form of the console keeps them: a message per field, the field named as
 * the contract's issue paths are ("params.datasets.0", "maxRunningPerKind.verify"), so the form's
 * own checks (zod, client side) and the engine's BAD_INPUT land on the same field. Pure.
 */

/** Error messages by field path. */
export type FieldErrors = Record<string, string>;

/** A field and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/** Whether an error at `field` belongs to the group named `group` ("params.bbox" holds "params.bbox.2"). */
export function inGroup(field: string, group: string): boolean {
  return field === group || field.startsWith(`${group}.`);
}

/** Whether two paths are one inside the other: an error at either concerns a control at the other. */
export function related(a: string, b: string): boolean {
  return inGroup(a, b) || inGroup(b, a);
}

/** The first error among `groups` (and the fields under them), in the order the groups are given. */
export function firstError(errors: FieldErrors, groups: readonly string[]): FieldError | null {
  for (const group of groups) {
    for (const [field, message] of Object.entries(errors)) if (inGroup(field, group)) return { field, message };
  }
  return null;
}

/** `errors` without those in any of `groups`. */
export function withoutGroups(errors: FieldErrors, groups: readonly string[]): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([field]) => !groups.some((g) => inGroup(field, g))));
}

/** A zod issue path as a field name; the whole input when it has none. */
export function fieldOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(input)';
}

/** Issues as errors by field, each told by `describe`; the first issue at a field is the one shown. */
export function errorsFromIssues<I>(issues: readonly I[], tell: (issue: I) => FieldError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const { field, message } = tell(issue);
    errors[field] ??= message;
  }
  return errors;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The field errors a BAD_INPUT from the engine carries in `details.issues` (`{ field, message }`
 * each, as main/engine/handlers.ts and the test transport write them); null for any other error.
 */
export function serverFieldErrors(error: unknown): FieldErrors | null {
  if (!isRecord(error) || error.code !== 'BAD_INPUT' || !isRecord(error.details) || !Array.isArray(error.details.issues)) return null;
  const errors: FieldErrors = {};
  for (const issue of error.details.issues) {
    if (isRecord(issue) && typeof issue.field === 'string' && typeof issue.message === 'string') errors[issue.field] ??= issue.message;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/**
 * A failure that no field of the form can show, to be said beside it: any error but a BAD_INPUT
 * naming fields, or (given the form's `fields`) one naming none of them.
 */
export function formFailure(error: unknown, fields?: readonly string[]): Error | null {
  if (!(error instanceof Error)) return null;
  const byField = serverFieldErrors(error);
  if (byField === null) return error;
  if (fields === undefined) return null;
  return Object.keys(byField).some((f) => fields.some((g) => related(f, g))) ? null : error;
}

export interface VisibleInput {
  /** The form's own verdict, by field. */
  client: FieldErrors;
  /** Fields (or groups) the operator has changed or left. */
  touched: ReadonlySet<string>;
  /** A submit was tried: every error shows. */
  tried: boolean;
  /** The engine's word (a dry run's, a refused submit's), later ones winning; shown whatever was touched. */
  engine?: readonly FieldErrors[];
}

/**
 * What a form shows: its own errors once their field was touched or a submit tried (an empty form
 * is not shouted at), the engine's always (until the field is edited, which drops them).
 */
export function visibleErrors({ client, touched, tried, engine = [] }: VisibleInput): FieldErrors {
  const visible: FieldErrors = {};
  for (const [field, message] of Object.entries(client)) {
    if (tried || [...touched].some((g) => related(field, g))) visible[field] = message;
  }
  return Object.assign(visible, ...engine);
}

/** Focuses the first control under `root` (in page order) whose `data-field` has an error; whether one was found. */
export function focusFirstInvalid(root: ParentNode, errors: FieldErrors): boolean {
  const fields = Object.keys(errors);
  const first = [...root.querySelectorAll<HTMLElement>('[data-field]')].find((el) => {
    const name = el.dataset.field;
    return name !== undefined && fields.some((f) => related(f, name));
  });
  first?.focus();
  return first !== undefined;
}
