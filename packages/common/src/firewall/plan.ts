import { formatSavedLine, type ListedRule } from './listing';
import { ruleKey } from './rule-key';
import { IP_VERSIONS, type IpVersion } from '../net/family';
import { TABLES, type Rule, type RuleTag, type Table } from './rule';

/** The rules of one table of one family, as iptables-save listed them. */
export interface TableListing {
  readonly family: IpVersion;
  readonly table: Table;
  readonly rules: readonly ListedRule[];
}

/** One line of a restore transaction: `-A <chain> <spec>` or `-D <chain> <spec>`; the spec carries the tag comment. */
export interface RuleChange {
  readonly kind: 'append' | 'delete';
  readonly family: IpVersion;
  readonly table: Table;
  readonly chain: string;
  readonly spec: readonly string[];
}

/**
 * The changes that turn the rules carrying `tag` into `desired`, chain by chain:
 * - nothing, when the chain already holds exactly the desired rules in the desired order;
 * - deleting the surplus, when every desired rule is there in order (a stale rule, a duplicate);
 * - otherwise appending the whole desired sequence and then deleting every old rule of the tag, so the
 *   order is right again (ACCEPT established before DROP).
 * Appends come before all deletions. `-D <spec>` removes the first rule with that spec, so the rules
 * we keep among duplicates are the last ones: what iptables leaves is what we planned.
 */
export function planChanges(tag: RuleTag, listings: readonly TableListing[], desired: readonly Rule[]): RuleChange[] {
  const appends: RuleChange[] = [];
  const deletes: RuleChange[] = [];
  for (const { id, existing, wanted } of chainsOf(tag, listings, desired)) {
    const existingKeys = existing.map((rule) => ruleKey(rule.matchArgs));
    const wantedKeys = wanted.map((rule) => ruleKey(rule.args));
    if (sameSequence(existingKeys, wantedKeys)) continue;
    const matchedWanted = matchKeepingLast(existingKeys, wantedKeys);
    const kept = matchedWanted.filter((w) => w >= 0);
    const complete = kept.length === wanted.length;
    const ordered = kept.every((w, i) => i === 0 || w > kept[i - 1]);
    const toDelete = complete && ordered ? existing.filter((_, i) => matchedWanted[i] < 0) : existing;
    if (!(complete && ordered)) {
      appends.push(...wanted.map((rule) => ({ ...id, kind: 'append' as const, spec: taggedSpec(rule.args, tag) })));
    }
    deletes.push(...toDelete.map((rule) => ({ ...id, kind: 'delete' as const, spec: rule.spec })));
  }
  return [...appends, ...deletes];
}

/** The changes of one table of one family: one `-restore --noflush` transaction, all or nothing. */
export interface TableTransaction {
  readonly family: IpVersion;
  readonly table: Table;
  readonly changes: readonly RuleChange[];
}

/**
 * The changes grouped into one transaction per table, IPv4 before IPv6 and tables in TABLES order; each
 * keeps the planned order of its lines.
 */
export function transactionsOf(changes: readonly RuleChange[]): TableTransaction[] {
  return IP_VERSIONS.flatMap((family) =>
    TABLES.map((table) => ({ family, table, changes: changes.filter((change) => change.family === family && change.table === table) })),
  ).filter((transaction) => transaction.changes.length > 0);
}

/**
 * The `-restore --noflush` input of a transaction. It declares no chain: under --noflush a `:CHAIN` line
 * flushes an existing user-defined chain and sets a built-in chain's policy (legacy and nft alike), so
 * rules go to chains that exist already (built-in ones always do).
 */
export function restoreInput(transaction: TableTransaction): string {
  const lines = transaction.changes.map((change) =>
    formatSavedLine([change.kind === 'append' ? '-A' : '-D', change.chain, ...change.spec]),
  );
  return [`*${transaction.table}`, ...lines, 'COMMIT', ''].join('\n');
}

/** The rule arguments with our comment match placed before the target, where iptables prints it too. */
export function taggedSpec(args: readonly string[], tag: RuleTag): string[] {
  const target = args.findIndex((token) => token === '-j' || token === '--jump' || token === '-g' || token === '--goto');
  const at = target < 0 ? args.length : target;
  return [...args.slice(0, at), '-m', 'comment', '--comment', tag, ...args.slice(at)];
}

function ownedBy(tag: RuleTag, rule: ListedRule): boolean {
  return rule.comment === tag;
}

interface ChainId {
  readonly family: IpVersion;
  readonly table: Table;
  readonly chain: string;
}

interface ChainWork {
  readonly id: ChainId;
  readonly existing: ListedRule[];
  readonly wanted: Rule[];
}

function chainsOf(tag: RuleTag, listings: readonly TableListing[], desired: readonly Rule[]): ChainWork[] {
  const chains = new Map<string, ChainWork>();
  const chain = (id: ChainId): ChainWork => {
    const key = `${id.family} ${id.table} ${id.chain}`;
    let work = chains.get(key);
    if (work === undefined) {
      work = { id: { family: id.family, table: id.table, chain: id.chain }, existing: [], wanted: [] };
      chains.set(key, work);
    }
    return work;
  };
  for (const listing of listings) {
    for (const rule of listing.rules) {
      if (ownedBy(tag, rule)) chain({ family: listing.family, table: listing.table, chain: rule.chain }).existing.push(rule);
    }
  }
  for (const rule of desired) chain(rule).wanted.push(rule);
  return [...chains.values()];
}

/**
 * For each existing rule, the index of the wanted rule it stands for, or -1 if it is surplus. Among
 * existing rules with the same key, the last ones are matched.
 */
function matchKeepingLast(existingKeys: readonly string[], wantedKeys: readonly string[]): number[] {
  const wantedByKey = new Map<string, number[]>();
  wantedKeys.forEach((key, index) => wantedByKey.set(key, [...(wantedByKey.get(key) ?? []), index]));
  const matched = existingKeys.map(() => -1);
  for (let i = existingKeys.length - 1; i >= 0; i--) {
    const candidates = wantedByKey.get(existingKeys[i]);
    const index = candidates?.pop();
    if (index !== undefined) matched[i] = index;
  }
  return matched;
}

function sameSequence(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
