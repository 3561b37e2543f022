import { oneLine } from '../errors';
import type { Logger } from '../log';
import { IptablesCommandError, type IptablesBackend } from './backend';
import { parseRuleListing } from './listing';
import { ownedBy, planChanges, type RuleChange, type TableListing } from './plan';
import { RULE_FAMILIES, TABLES, type Rule, type RuleFamily, type RuleTag, type Table } from './rule';

export interface RuleSetChange {
  readonly added: number;
  readonly deleted: number;
}

/**
 * Rule sets as desired state. Each rule set is named by its tag, which every one of its rules carries
 * as iptables comment; rules without that exact comment (foreign ones, other rule sets) are never touched.
 */
export interface Firewall {
  /**
   * Makes the rules tagged `tag`, in both families and all our tables, exactly `rules` (in their order
   * within each chain). Running it again with the same rules changes nothing. If an iptables call fails,
   * the tag's rules are put back as they were and the error is rethrown.
   */
  apply(tag: RuleTag, rules: readonly Rule[]): Promise<RuleSetChange>;
  /** Deletes every rule tagged `tag`, whatever rules the caller would build today. */
  remove(tag: RuleTag): Promise<RuleSetChange>;
}

/** An iptables call failed and putting the previous rules back failed too; `cause` is the first failure. */
export class FirewallRollbackError extends Error {
  constructor(tag: RuleTag, cause: unknown, rollbackError: unknown) {
    super(`${oneLine(cause)} (restoring the previous rules of ${tag} failed as well: ${oneLine(rollbackError)})`, { cause });
    this.name = 'FirewallRollbackError';
  }
}

export function createFirewall(backend: IptablesBackend, log: Logger): Firewall {
  const iptables = (family: RuleFamily, args: string[]): Promise<string> => backend.handle(family).run(args);

  /** A table the kernel does not have (legacy, module not loaded) cannot hold rules of ours: it lists as empty. */
  const list = async (family: RuleFamily, table: Table): Promise<TableListing> => {
    try {
      return { family, table, rules: parseRuleListing(await iptables(family, ['-t', table, '-S'])) };
    } catch (err) {
      if (err instanceof IptablesCommandError && /Table does not exist/.test(err.stderr)) return { family, table, rules: [] };
      throw err;
    }
  };

  const listAll = (): Promise<TableListing[]> =>
    Promise.all(RULE_FAMILIES.flatMap((family) => TABLES.map((table) => list(family, table))));

  const execute = async (change: RuleChange): Promise<void> => {
    log.debug(`${change.kind} firewall rule`, { family: change.family, table: change.table, chain: change.chain, rule: change.spec.join(' ') });
    await iptables(change.family, ['-t', change.table, change.kind === 'append' ? '-A' : '-D', change.chain, ...change.spec]);
  };

  /**
   * Puts the tag's rules of the touched tables back where they were: its current rules go, then the old
   * ones are inserted at their old rule numbers in ascending order. Since foreign rules were not touched,
   * that rebuilds each chain exactly.
   */
  const restore = async (tag: RuleTag, before: readonly TableListing[]): Promise<void> => {
    for (const old of before) {
      const now = await list(old.family, old.table);
      const chains = new Set([...old.rules, ...now.rules].filter((rule) => ownedBy(tag, rule)).map((rule) => rule.chain));
      for (const chain of chains) {
        const oldOurs = old.rules.filter((rule) => rule.chain === chain && ownedBy(tag, rule));
        const nowInChain = now.rules.filter((rule) => rule.chain === chain);
        const nowOurs = nowInChain.filter((rule) => ownedBy(tag, rule));
        if (placement(oldOurs) === placement(nowOurs)) continue;
        for (const rule of nowOurs) await iptables(old.family, ['-t', old.table, '-D', chain, ...rule.spec]);
        let length = nowInChain.length - nowOurs.length;
        for (const rule of oldOurs) {
          await iptables(old.family, ['-t', old.table, '-I', chain, String(Math.min(rule.position, length + 1)), ...rule.spec]);
          length++;
        }
      }
    }
  };

  const apply = async (tag: RuleTag, rules: readonly Rule[]): Promise<RuleSetChange> => {
    for (const rule of rules) requireUntagged(rule);
    const before = await listAll();
    const changes = planChanges(tag, before, rules);
    const result = {
      added: changes.filter((change) => change.kind === 'append').length,
      deleted: changes.filter((change) => change.kind === 'delete').length,
    };
    if (changes.length === 0) {
      log.debug('firewall rules already in place', { tag });
      return result;
    }
    try {
      for (const change of changes) await execute(change);
    } catch (err) {
      const touched = before.filter((listing) =>
        changes.some((change) => change.family === listing.family && change.table === listing.table),
      );
      try {
        await restore(tag, touched);
      } catch (rollbackError) {
        throw new FirewallRollbackError(tag, err, rollbackError);
      }
      log.warn('firewall rules restored after a failed change', { tag, error: oneLine(err) });
      throw err;
    }
    log.info('firewall rules changed', { tag, ...result });
    return result;
  };

  return { apply, remove: (tag) => apply(tag, []) };
}

function placement(rules: readonly { position: number; spec: readonly string[] }[]): string {
  return rules.map((rule) => `${rule.position} ${rule.spec.join(' ')}`).join('\n');
}

function requireUntagged(rule: Rule): void {
  if (rule.args.includes('--comment')) {
    throw new Error(`rule ${rule.chain} ${rule.args.join(' ')} has its own comment; the firewall adds the tag itself`);
  }
}
