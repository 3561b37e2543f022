import { realpathSync } from 'node:fs';

/**
 * The absolute command line that runs this program again, for the `up`/`down` lines of the rendered
 * server config: OpenVPN runs hooks with a bare environment (no PATH), so neither `node` nor the
 * launcher may be looked up. OpenVPN splits the hook line on spaces, so a path with white space cannot work.
 */
export function selfCommand(execPath = process.execPath, script = process.argv[1] ?? ''): string {
  const parts = [execPath, realpathSync(script)];
  const bad = parts.find((p) => /[\s"'\\]/.test(p));
  if (bad !== undefined) throw new Error(`cannot render the up/down hook: path contains white space or quotes: ${bad}`);
  return parts.join(' ');
}
