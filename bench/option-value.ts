/** `--name VALUE` from a bench's command line (the word after the flag), or undefined. */
export function optionValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
