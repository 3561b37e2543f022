import type { IpVersion } from '../net/family';

/** The tables our rule sets use; the engine scans exactly these for rules it owns. */
export type Table = 'filter' | 'nat' | 'mangle' | 'raw';

export const TABLES: readonly Table[] = ['filter', 'nat', 'mangle', 'raw'];

/**
 * One rule as the caller wants it: the iptables arguments after `-A <chain>`, without a comment.
 * The engine adds `-m comment --comment <tag>` itself; that comment is how it recognises its rules later.
 */
export interface Rule {
  /** Which binary the rule belongs to: 4 = iptables, 6 = ip6tables. */
  readonly family: IpVersion;
  readonly table: Table;
  readonly chain: string;
  readonly args: readonly string[];
}

/**
 * The owner of a set of rules, carried by each of them as its iptables comment: `<program>:<purpose>[:...]`,
 * e.g. `vpn-seed-server:firewall:tun0`. The program prefix marks the rule as ours; the rest says which
 * rule set it belongs to, so one rule set is replaced or removed without touching another.
 */
export type RuleTag = string & { readonly __ruleTag: unique symbol };

export type TagProgram = 'vpn-seed-server' | 'vpn-shoot-client';

/** Interface names may carry `+` (iptables wildcard), `.`, `-`, `_` and `@`; nothing needs quoting then. */
const TAG_PART = /^[A-Za-z0-9._+@-]+$/;
/** xt_comment stores at most 255 characters. */
const MAX_TAG_LENGTH = 255;

export function ruleTag(program: TagProgram, ...parts: string[]): RuleTag {
  if (parts.length === 0) throw new Error(`rule tag of ${program} needs a purpose`);
  for (const part of parts) {
    if (!TAG_PART.test(part)) throw new Error(`invalid rule tag part "${part}"`);
  }
  const tag = [program, ...parts].join(':');
  if (tag.length > MAX_TAG_LENGTH) throw new Error(`rule tag longer than ${MAX_TAG_LENGTH} characters: ${tag}`);
  return tag as RuleTag;
}
