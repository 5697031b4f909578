/**
 * The compile-time check that a switch over a union handled every member: a new member makes the
 * call site stop compiling. At run time (a value from an older store or another process) it throws.
 */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
