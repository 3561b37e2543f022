import type { CommandRunner } from '../../src/firewall/backend';
import type { RuleFamily, Table } from '../../src/firewall/rule';

const BUILTIN_CHAINS: Record<Table, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
};

/**
 * An in-memory iptables/ip6tables pair with the semantics the engine relies on: `-S` prints rules in
 * chain order (comments quoted), `-A` appends, `-D <spec>` removes the first rule with exactly that spec,
 * `-I <chain> <n>` inserts at rule number n. Rules are kept as given, so tests can seed them in the
 * canonical form real iptables prints.
 */
export class FakeIptables {
  private readonly chains = new Map<string, string[][]>();
  /** Every mutating call (`-A`, `-D`, `-I`), as `<family> <table> <args>`. */
  readonly mutations: string[] = [];
  /** Makes a mutating call fail (exit 1) when it returns true. */
  failWhen: (call: string) => boolean = () => false;
  /** `<family> <table>` pairs the kernel lacks, as legacy reports them when the module is missing. */
  readonly missingTables = new Set<string>();

  readonly runner: CommandRunner = async (file, args) => {
    const family: RuleFamily = file.split('/').pop()!.startsWith('ip6tables') ? 6 : 4;
    const rest = args.filter((a) => a !== '--wait');
    let table: Table = 'filter';
    if (rest[0] === '-t') {
      table = rest[1] as Table;
      rest.splice(0, 2);
    }
    const [command, chain, ...spec] = rest;
    if (this.missingTables.has(`${family} ${table}`)) {
      return { code: 3, stdout: '', stderr: `iptables v1.8.9 (legacy): can't initialize iptables table \`${table}': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.\n` };
    }
    if (command === '-L') return ok('');
    if (command === '-S') return ok(this.listing(family, table));
    const call = `${family} ${table} ${rest.join(' ')}`;
    this.mutations.push(call);
    if (this.failWhen(call)) return { code: 1, stdout: '', stderr: `iptables: injected failure\n` };
    const rules = this.chain(family, table, chain!);
    if (command === '-A') {
      rules.push(spec);
    } else if (command === '-D') {
      const at = rules.findIndex((rule) => rule.join('\0') === spec.join('\0'));
      if (at < 0) return { code: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).\n' };
      rules.splice(at, 1);
    } else if (command === '-I') {
      const position = Number(spec[0]);
      if (position > rules.length + 1) return { code: 1, stdout: '', stderr: 'iptables: Index of insertion too big.\n' };
      rules.splice(position - 1, 0, spec.slice(1));
    } else {
      throw new Error(`fake iptables does not know ${command}`);
    }
    return ok('');
  };

  /** Adds rules as `-S` prints them (`-A CHAIN ...`, comment in double quotes). */
  seed(family: RuleFamily, table: Table, ...lines: string[]): void {
    for (const line of lines) {
      const [, chain, ...spec] = line.split(' ').map((t) => t.replace(/^"(.*)"$/, '$1'));
      this.chain(family, table, chain!).push(spec);
    }
  }

  /** The whole state, for before/after comparisons. */
  dump(): string {
    return [4, 6]
      .flatMap((family) => (['filter', 'nat', 'mangle'] as Table[]).map((table) => `# ${family} ${table}\n${this.listing(family as RuleFamily, table)}`))
      .join('');
  }

  listing(family: RuleFamily, table: Table): string {
    const lines = BUILTIN_CHAINS[table].map((chain) => `-P ${chain} ACCEPT`);
    for (const chain of BUILTIN_CHAINS[table]) {
      for (const rule of this.chains.get(`${family} ${table} ${chain}`) ?? []) {
        lines.push(['-A', chain, ...rule.map((t, i) => (rule[i - 1] === '--comment' ? `"${t}"` : t))].join(' '));
      }
    }
    return lines.join('\n') + '\n';
  }

  private chain(family: RuleFamily, table: Table, chain: string): string[][] {
    if (!BUILTIN_CHAINS[table].includes(chain)) throw new Error(`fake iptables: no chain ${chain} in ${table}`);
    const key = `${family} ${table} ${chain}`;
    let rules = this.chains.get(key);
    if (rules === undefined) {
      rules = [];
      this.chains.set(key, rules);
    }
    return rules;
  }
}

function ok(stdout: string): { code: number; stdout: string; stderr: string } {
  return { code: 0, stdout, stderr: '' };
}
