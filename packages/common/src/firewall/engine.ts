import type { Logger } from '../log';
import type { IptablesBackend } from './backend';
import { parseSavedTables } from './listing';
import { planChanges, restoreInput, transactionsOf, type TableListing } from './plan';
import { IP_VERSIONS } from '../net/family';
import { TABLES, type Rule, type RuleTag } from './rule';

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
   * within each chain). Running it again with the same rules changes nothing. The changes of each table
   * are one `-restore --noflush` transaction, so a failure leaves the table it happened in as it was; a
   * rule set spanning several tables is changed table by table (IPv4 first; filter, nat, mangle), and
   * tables changed before a failure keep their new rules until the next apply, which completes the change.
   */
  apply(tag: RuleTag, rules: readonly Rule[]): Promise<RuleSetChange>;
  /** Deletes every rule tagged `tag`, whatever rules the caller would build today. */
  remove(tag: RuleTag): Promise<RuleSetChange>;
}

export function createFirewall(backend: IptablesBackend, log: Logger): Firewall {
  const listAll = async (): Promise<TableListing[]> => {
    const saved = await Promise.all(
      IP_VERSIONS.map(async (family) => ({ family, tables: parseSavedTables(await backend.handle(family).save()) })),
    );
    return saved.flatMap(({ family, tables }) => TABLES.map((table) => ({ family, table, rules: tables.get(table) ?? [] })));
  };

  const apply = async (tag: RuleTag, rules: readonly Rule[]): Promise<RuleSetChange> => {
    for (const rule of rules) requireUntagged(rule);
    const changes = planChanges(tag, await listAll(), rules);
    const result = {
      added: changes.filter((change) => change.kind === 'append').length,
      deleted: changes.filter((change) => change.kind === 'delete').length,
    };
    if (changes.length === 0) {
      log.debug('firewall rules already in place', { tag });
      return result;
    }
    const committed: string[] = [];
    for (const transaction of transactionsOf(changes)) {
      for (const change of transaction.changes) {
        log.debug(`${change.kind} firewall rule`, {
          family: change.family,
          table: change.table,
          chain: change.chain,
          rule: change.spec.join(' '),
        });
      }
      const table = `IPv${transaction.family} ${transaction.table}`;
      try {
        await backend.handle(transaction.family).restore(restoreInput(transaction));
      } catch (err) {
        if (committed.length > 0) log.warn('firewall rules changed only in part', { tag, changed: committed.join(','), failed: table });
        throw err;
      }
      committed.push(table);
    }
    log.info('firewall rules changed', { tag, ...result });
    return result;
  };

  return { apply, remove: (tag) => apply(tag, []) };
}

function requireUntagged(rule: Rule): void {
  if (rule.args.includes('--comment')) {
    throw new Error(`rule ${rule.chain} ${rule.args.join(' ')} has its own comment; the firewall adds the tag itself`);
  }
}
