import { accessSync, closeSync, constants, openSync, readSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The absolute command line that runs this program again, for the `up`/`down` lines of the rendered
 * server config: OpenVPN runs hooks with a bare environment (no PATH), so nothing may be looked up.
 *
 * When the program file is itself executable and its `#!` line names the node that runs it (the image's
 * bundle, `/bin/vpn-server`), that path alone is the command, as the reference's hooks name their binary.
 * Otherwise (the npm launcher, whose `#!/usr/bin/env node` needs PATH) it is `<node> <launcher>`.
 * OpenVPN splits the hook line on spaces, so a path with white space cannot work.
 */
export function selfCommand(execPath = process.execPath, script = process.argv[1] ?? ''): string {
  const program = path.resolve(script);
  const parts = runsItself(program, execPath) ? [program] : [execPath, realpathSync(program)];
  const bad = parts.find((p) => /[\s"'\\]/.test(p));
  if (bad !== undefined) throw new Error(`cannot render the up/down hook: path contains white space or quotes: ${bad}`);
  return parts.join(' ');
}

function runsItself(program: string, execPath: string): boolean {
  try {
    accessSync(program, constants.X_OK);
    const interpreter = /^#!(\/\S+)[ \t]*\r?\n/.exec(firstBytes(program, 256))?.[1];
    return interpreter !== undefined && realpathSync(interpreter) === realpathSync(execPath);
  } catch {
    return false;
  }
}

function firstBytes(file: string, n: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0)).toString('latin1');
  } finally {
    closeSync(fd);
  }
}
