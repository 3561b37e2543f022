import type { CommandRunner } from '../../src/firewall/backend';
import { formatSavedLine, splitSavedLine } from '../../src/firewall/listing';
import type { IpVersion } from '../../src/net/family';
import { TABLES, type Table } from '../../src/firewall/rule';

const BUILTIN_CHAINS: Record<Table, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
};

type Result = { code: number; stdout: string; stderr: string };
type Chains = Map<string, string[][]>;

/**
 * In-memory `iptables-save`/`iptables-restore` (and ip6tables) with the semantics the engine relies on:
 * save prints every table in chain order (comments and strings with blanks quoted); restore requires `--noflush` and applies each
 * `*table ... COMMIT` section as one transaction, where `-A` appends and `-D <spec>` removes the first rule
 * with exactly that spec; a failing line leaves its table as it was and ends the run, while sections
 * committed before it stay. Rules are kept as given, so tests can seed them in the canonical form real
 * iptables prints.
 */
export class FakeIptables {
  private readonly chains: Chains = new Map();
  /** Every rule line a restore processed, as `<family> <table> <line>`. */
  readonly mutations: string[] = [];
  /** Every restore run: the binary's name, its arguments and its input. */
  readonly restores: { command: string; args: readonly string[]; input: string }[] = [];
  /** Makes a restore line fail, and with it its transaction, when it returns true for the mutation. */
  failWhen: (call: string) => boolean = () => false;
  /** `<family> <table>` pairs the kernel lacks, as legacy reports them when the module is missing. */
  readonly missingTables = new Set<string>();

  // The Promise executor turns a throw into a rejection, which is how the real runner fails.
  readonly runner: CommandRunner = (file, args, input) => new Promise((resolve) => resolve(this.run(file, args, input)));

  private run(file: string, args: readonly string[], input: string | undefined): Result {
    const command = file.split('/').pop()!;
    const family: IpVersion = command.startsWith('ip6tables') ? 6 : 4;
    if (command.endsWith('-save') && args.length === 0) return ok(this.save(family));
    if (command.endsWith('-restore') && input !== undefined) {
      if (!args.includes('--noflush'))
        throw new Error(`fake iptables: restore without --noflush would flush every table: ${args.join(' ')}`);
      this.restores.push({ command, args, input });
      return this.restore(family, input);
    }
    throw new Error(`fake iptables does not know ${command} ${args.join(' ')}`);
  }

  /** Adds rules as `-S` prints them (`-A CHAIN ...`, comment in double quotes). */
  seed(family: IpVersion, table: Table, ...lines: string[]): void {
    for (const line of lines) {
      const [, chain, ...spec] = splitSavedLine(line);
      rulesOf(this.chains, family, table, chain).push(spec);
    }
  }

  /** The whole state, for before/after comparisons. */
  dump(): string {
    return [4, 6].flatMap((family) => TABLES.map((table) => `# ${family} ${table}\n${this.listing(family as IpVersion, table)}`)).join('');
  }

  /** One table as `-S` prints it. */
  listing(family: IpVersion, table: Table): string {
    return [...BUILTIN_CHAINS[table].map((chain) => `-P ${chain} ACCEPT`), ...this.ruleLines(family, table)].join('\n') + '\n';
  }

  private save(family: IpVersion): string {
    const tables = TABLES.filter((table) => !this.missingTables.has(`${family} ${table}`));
    return tables
      .map(
        (table) =>
          [`*${table}`, ...BUILTIN_CHAINS[table].map((chain) => `:${chain} ACCEPT [0:0]`), ...this.ruleLines(family, table), 'COMMIT'].join(
            '\n',
          ) + '\n',
      )
      .join('');
  }

  private ruleLines(family: IpVersion, table: Table): string[] {
    return BUILTIN_CHAINS[table].flatMap((chain) =>
      (this.chains.get(`${family} ${table} ${chain}`) ?? []).map((rule) =>
        ['-A', chain, ...rule.map((t, i) => (rule[i - 1] === '--comment' ? `"${t}"` : formatSavedLine([t])))].join(' '),
      ),
    );
  }

  private restore(family: IpVersion, input: string): Result {
    let table: Table | undefined;
    let pending: Chains | undefined;
    const lines = input.split('\n');
    for (let n = 1; n <= lines.length; n++) {
      const line = lines[n - 1];
      const fail = (why: string): Result => ({ code: 1, stdout: '', stderr: `iptables-restore: line ${n} failed: ${why}\n` });
      if (line.trim() === '' || line.startsWith('#')) continue;
      if (line.startsWith('*')) {
        table = line.slice(1) as Table;
        if (this.missingTables.has(`${family} ${table}`)) {
          return {
            code: 1,
            stdout: '',
            stderr: `iptables-restore v1.8.9 (legacy): iptables-restore: unable to initialize table '${table}'\n\nError occurred at line: ${n}\n`,
          };
        }
        pending = new Map([...this.chains].map(([key, rules]) => [key, rules.map((rule) => [...rule])]));
        continue;
      }
      if (table === undefined || pending === undefined) return fail('outside a table');
      if (line === 'COMMIT') {
        this.chains.clear();
        for (const [key, rules] of pending) this.chains.set(key, rules);
        table = pending = undefined;
        continue;
      }
      const [op, chain, ...spec] = splitSavedLine(line);
      if (op !== '-A' && op !== '-D') throw new Error(`fake iptables: the engine should not send ${line}`);
      const call = `${family} ${table} ${line}`;
      this.mutations.push(call);
      if (this.failWhen(call)) return fail('injected failure');
      if (!BUILTIN_CHAINS[table].includes(chain)) return fail('No chain/target/match by that name.');
      const rules = rulesOf(pending, family, table, chain);
      if (op === '-A') {
        rules.push(spec);
      } else {
        const at = rules.findIndex((rule) => rule.length === spec.length && rule.every((token, i) => token === spec[i]));
        if (at < 0) return fail('Bad rule (does a matching rule exist in that chain?)');
        rules.splice(at, 1);
      }
    }
    return table === undefined ? ok('') : { code: 1, stdout: '', stderr: `iptables-restore: COMMIT expected at line ${lines.length}\n` };
  }
}

function rulesOf(chains: Chains, family: IpVersion, table: Table, chain: string): string[][] {
  if (!BUILTIN_CHAINS[table].includes(chain)) throw new Error(`fake iptables: no chain ${chain} in ${table}`);
  const key = `${family} ${table} ${chain}`;
  let rules = chains.get(key);
  if (rules === undefined) {
    rules = [];
    chains.set(key, rules);
  }
  return rules;
}

function ok(stdout: string): Result {
  return { code: 0, stdout, stderr: '' };
}
