/**
 * One rule of `iptables-save` output. `spec` is the rule exactly as printed after the chain name,
 * which iptables accepts back for `-D <chain> <spec>`.
 */
export interface ListedRule {
  readonly chain: string;
  readonly spec: readonly string[];
  /** The value of `-m comment --comment`, if any. */
  readonly comment: string | undefined;
  /** `spec` without the comment match: what the rule does. */
  readonly matchArgs: readonly string[];
}

/**
 * Parses `iptables-save` output into the rules of each table it lists, from their `-A` lines; chain
 * declarations are skipped. A table the kernel has not set up (legacy loads table modules on first use)
 * is not listed, and holds no rules.
 */
export function parseSavedTables(output: string): Map<string, ListedRule[]> {
  const tables = new Map<string, string[]>();
  let lines: string[] | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1).trim(), (lines = []));
    else if (line.trim() === 'COMMIT') lines = undefined;
    else lines?.push(line);
  }
  return new Map([...tables].map(([table, tableLines]) => [table, parseRuleLines(tableLines)]));
}

function parseRuleLines(lines: readonly string[]): ListedRule[] {
  const rules: ListedRule[] = [];
  for (const line of lines) {
    const tokens = splitSavedLine(line);
    if (tokens[0] !== '-A' || tokens.length < 2) continue;
    const spec = tokens.slice(2);
    rules.push({ chain: tokens[1], spec, ...splitComment(spec) });
  }
  return rules;
}

function splitComment(spec: readonly string[]): { comment: string | undefined; matchArgs: string[] } {
  const at = spec.findIndex((token, i) => token === '-m' && spec[i + 1] === 'comment' && spec[i + 2] === '--comment');
  if (at < 0 || at + 3 >= spec.length) return { comment: undefined, matchArgs: [...spec] };
  return { comment: spec[at + 3], matchArgs: [...spec.slice(0, at), ...spec.slice(at + 4)] };
}

/**
 * Splits one line of iptables save syntax into arguments. Strings that may contain blanks (comments,
 * log prefixes) are printed in double quotes, with `"` and `\` escaped by a backslash.
 */
export function splitSavedLine(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) current += line[++i];
      else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') {
      quoted = true;
      inToken = true;
    } else if (c === ' ' || c === '\t') {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += c;
      inToken = true;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

/** The inverse of splitSavedLine: a line that iptables-restore splits back into `tokens`. */
export function formatSavedLine(tokens: readonly string[]): string {
  return tokens.map((token) => (/^[^\s"'\\]+$/.test(token) ? token : `"${token.replace(/["\\]/g, '\\$&')}"`)).join(' ');
}
