/**
 * One rule of `iptables -t <table> -S` output. `spec` is the rule exactly as printed after the chain name,
 * which iptables accepts back for `-D <chain> <spec>` and `-I <chain> <n> <spec>`.
 */
export interface ListedRule {
  readonly chain: string;
  /** 1-based rule number within its chain, as `-I`/`-D <n>` count. */
  readonly position: number;
  readonly spec: readonly string[];
  /** The value of `-m comment --comment`, if any. */
  readonly comment: string | undefined;
  /** `spec` without the comment match: what the rule does. */
  readonly matchArgs: readonly string[];
}

/** Parses the `-A` lines of `-S` output; policies (`-P`) and chain declarations (`-N`) are skipped. */
export function parseRuleListing(output: string): ListedRule[] {
  const counts = new Map<string, number>();
  const rules: ListedRule[] = [];
  for (const line of output.split('\n')) {
    const tokens = splitSavedLine(line);
    if (tokens[0] !== '-A' || tokens.length < 2) continue;
    const chain = tokens[1]!;
    const position = (counts.get(chain) ?? 0) + 1;
    counts.set(chain, position);
    const spec = tokens.slice(2);
    rules.push({ chain, position, spec, ...splitComment(spec) });
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
    const c = line[i]!;
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
