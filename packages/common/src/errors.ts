/**
 * An input the operator gave us (environment variable, flag, file) is invalid.
 * The message always names the input first, so the CLI can print it as the one line
 * an operator needs: `<input>: <what is wrong>`.
 */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super(`${input}: ${problem}`);
    this.name = 'InputError';
  }
}

/** Renders any thrown value as one line (no stack, no newlines) for stderr. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
