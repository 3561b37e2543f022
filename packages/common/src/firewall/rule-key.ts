import { Cidr } from '../net/cidr';

/**
 * iptables prints a rule in its own canonical form, not as it was given: long options become short ones,
 * `-p tcp` gains an implicit `-m tcp`, addresses lose their host bits and gain a prefix, flag lists are
 * reordered, matches move. The key reduces both forms to the same text so that a rule we want can be
 * recognised among the rules `-S` lists. Two rules with equal keys do the same thing.
 */
export function ruleKey(args: readonly string[]): string {
  return optionGroups(args)
    .filter((group) => !(group.option === '-m' && IMPLICIT_MATCHES.has(group.values[0] ?? '')))
    .map(renderGroup)
    .sort()
    .join(' ');
}

interface OptionGroup {
  readonly negated: boolean;
  readonly option: string;
  readonly values: string[];
}

const OPTION_ALIASES: Readonly<Record<string, string>> = {
  '--in-interface': '-i',
  '--out-interface': '-o',
  '--source': '-s',
  '--src': '-s',
  '--destination': '-d',
  '--dst': '-d',
  '--protocol': '-p',
  '--jump': '-j',
  '--goto': '-g',
  '--match': '-m',
};

/** Matches iptables loads (and prints) by itself for `-p <protocol>`. */
const IMPLICIT_MATCHES = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmp6']);
const PROTOCOL_ALIASES: Readonly<Record<string, string>> = { icmpv6: 'ipv6-icmp' };
const ADDRESS_OPTIONS = new Set(['-s', '-d', '--to']);
/** Options whose values are flag sets that iptables prints in its own order. */
const FLAG_SET_OPTIONS = new Set(['--state', '--ctstate', '--tcp-flags']);

function optionGroups(args: readonly string[]): OptionGroup[] {
  const groups: OptionGroup[] = [];
  let negated = false;
  for (const token of args) {
    if (token === '!') {
      negated = true;
    } else if (/^--?[A-Za-z]/.test(token)) {
      groups.push({ negated, option: OPTION_ALIASES[token] ?? token, values: [] });
      negated = false;
    } else {
      const last = groups[groups.length - 1];
      if (last === undefined) throw new Error(`rule arguments must start with an option: ${args.join(' ')}`);
      last.values.push(token);
    }
  }
  return groups;
}

function renderGroup(group: OptionGroup): string {
  const values = group.values.map((value) => normalizeValue(group.option, value));
  return [...(group.negated ? ['!'] : []), group.option, ...values].join(' ');
}

function normalizeValue(option: string, value: string): string {
  if (option === '-p') {
    const protocol = value.toLowerCase();
    return PROTOCOL_ALIASES[protocol] ?? protocol;
  }
  if (ADDRESS_OPTIONS.has(option)) return normalizeAddress(value);
  if (FLAG_SET_OPTIONS.has(option)) return value.toUpperCase().split(',').sort().join(',');
  return value;
}

/** `10.1.2.3/16` is stored and printed as `10.1.0.0/16`, a bare address with a full-length prefix. */
function normalizeAddress(value: string): string {
  const withPrefix = value.includes('/') ? value : `${value}/${value.includes(':') ? 128 : 32}`;
  return Cidr.tryParse(withPrefix)?.toString() ?? value;
}
