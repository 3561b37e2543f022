import type { Cidr } from '../net/cidr';
import type { Ip } from '../net/ip';
import { DEFAULT_VPN_NETWORK } from '../net/reserved';

/** What each variable type parses into (`EnvReader.value`); the type's name is also what `--help` and the README show. */
export interface VariableValues {
  string: string;
  bool: boolean;
  int: number;
  uint: number;
  /** Milliseconds. */
  duration: number;
  cidr: Cidr;
  'cidr list': Cidr[];
  ip: Ip;
  list: string[];
  enum: string;
}
export type VariableType = keyof VariableValues;

/** One environment variable as a program reads it, apart from which subcommands read it. */
export interface VariableDefinition {
  readonly name: string;
  readonly type: VariableType;
  /**
   * Written as an operator would set the variable, and parsed by the same code, so that the documented
   * default is the one that applies. Absent: an unset variable has no value (or is an error when required).
   */
  readonly default?: string;
  readonly required?: true;
  readonly choices?: readonly string[];
  readonly description: string;
}

/** An entry of a program's table. */
export interface Variable<Command extends string = string> extends VariableDefinition {
  /** The subcommands that accept it ('root' is the program run without one), whether they use it or ignore it as the reference does. */
  readonly commands: readonly Command[];
}

/** A program's table: keys are for the parsers to name an entry; a name appears twice when subcommands differ in type or default. */
export type EnvironmentTable<Command extends string> = Readonly<Record<string, Variable<Command>>>;

/** An entry with a default of the given type, for the readers that add checks of their own. */
export type DefaultedVariable<T extends VariableType> = VariableDefinition & { readonly type: T; readonly default: string };

export type ValueOf<V extends VariableDefinition> = V extends { readonly default: string } | { readonly required: true }
  ? TypedValue<V>
  : TypedValue<V> | undefined;
type TypedValue<V extends VariableDefinition> = V extends { readonly type: 'enum'; readonly choices: readonly (infer C)[] }
  ? C
  : VariableValues[V['type']];

/** An environment a subcommand reads in full, for code that builds one (the end-to-end labs): other names do not compile. */
export type EnvironmentOf<T extends EnvironmentTable<string>, Command extends string> = Partial<
  Record<{ [K in keyof T]: Command extends T[K]['commands'][number] ? T[K]['name'] : never }[keyof T], string>
>;

/** Variables both programs read with the same meaning. */
export const SHARED_VARIABLES = {
  VPN_NETWORK: {
    name: 'VPN_NETWORK',
    type: 'cidr',
    default: DEFAULT_VPN_NETWORK.toString(),
    description: 'IPv6 transfer network inside the tunnel, must be a /96',
  },
  SEED_POD_NETWORK: {
    name: 'SEED_POD_NETWORK',
    type: 'cidr',
    description: "the seed's pod network, one CIDR; an IPv4 one appears as 241.0.0.0/8 in the tunnel",
  },
  OPENVPN_AUTO_MTU: {
    name: 'OPENVPN_AUTO_MTU',
    type: 'bool',
    default: 'false',
    description: 'tunnel MTU = default-route MTU - 130, at least 1280',
  },
  // Read before any subcommand runs, and only the exact value `true` counts (not Go's boolean forms).
  DEBUG: { name: 'DEBUG', type: 'string', default: '', description: '`true` adds debug lines to the log' },
} as const satisfies Record<string, VariableDefinition>;

const SHOOT_NETWORKS = {
  SHOOT_SERVICE_NETWORKS: { name: 'SHOOT_SERVICE_NETWORKS', type: 'cidr list', description: "the shoot's service networks" },
  SHOOT_POD_NETWORKS: { name: 'SHOOT_POD_NETWORKS', type: 'cidr list', description: "the shoot's pod networks" },
  SHOOT_NODE_NETWORKS: { name: 'SHOOT_NODE_NETWORKS', type: 'cidr list', description: "the shoot's node networks" },
} as const;

/** The shoot networks as the server and the path controller read them: Gardener's defaults for services and pods. */
export const DEFAULTED_SHOOT_NETWORK_VARIABLES = {
  SHOOT_SERVICE_NETWORKS: { ...SHOOT_NETWORKS.SHOOT_SERVICE_NETWORKS, default: '100.64.0.0/13' },
  SHOOT_POD_NETWORKS: { ...SHOOT_NETWORKS.SHOOT_POD_NETWORKS, default: '100.96.0.0/11' },
  SHOOT_NODE_NETWORKS: { ...SHOOT_NETWORKS.SHOOT_NODE_NETWORKS, default: '' },
} as const satisfies Record<string, VariableDefinition>;

/** The shoot networks as the clients and the tunnel controller read them: no defaults. */
export const EMPTY_SHOOT_NETWORK_VARIABLES = {
  SHOOT_SERVICE_NETWORKS: { ...SHOOT_NETWORKS.SHOOT_SERVICE_NETWORKS, default: '' },
  SHOOT_POD_NETWORKS: { ...SHOOT_NETWORKS.SHOOT_POD_NETWORKS, default: '' },
  SHOOT_NODE_NETWORKS: { ...SHOOT_NETWORKS.SHOOT_NODE_NETWORKS, default: '' },
} as const satisfies Record<string, VariableDefinition>;

/** The variables a subcommand accepts, in table order. */
export function variablesOf<Command extends string>(table: EnvironmentTable<Command>, command: Command): Variable<Command>[] {
  return Object.values(table).filter((variable) => variable.commands.includes(command));
}

/** The `--help` text: one section per group of subcommands that accept the same variables. */
export function environmentHelp<Command extends string>(table: EnvironmentTable<Command>, commands: readonly Command[]): string {
  const groups: { commands: Command[]; variables: Variable<Command>[] }[] = [];
  for (const command of commands) {
    const variables = variablesOf(table, command);
    const same = groups.find((g) => g.variables.length === variables.length && g.variables.every((v, i) => v === variables[i]));
    if (same === undefined) groups.push({ commands: [command], variables });
    else same.commands.push(command);
  }
  const width = Math.max(...Object.values(table).map((v) => v.name.length)) + 2;
  return groups
    .map(({ commands: names, variables }) =>
      [
        `Environment of ${names.map((c) => (c === 'root' ? 'the root command' : c)).join(', ')}:`,
        ...variables.map((v) => `  ${v.name.padEnd(width)}${typeLabel(v, (c) => c)}, ${helpDefault(v)}\n      ${v.description}`),
      ].join('\n'),
    )
    .join('\n\n');
}

function typeLabel(variable: VariableDefinition, quote: (choice: string) => string): string {
  return variable.type === 'enum' ? (variable.choices ?? []).map(quote).join(' or ') : variable.type;
}

function helpDefault(variable: VariableDefinition): string {
  if (variable.required) return 'required';
  if (variable.default === undefined) return 'no default';
  return variable.default === '' ? 'default empty' : `default ${variable.default}`;
}

/** The README's table of a program (`npm run docs:env` writes it, a test compares). */
export function environmentMarkdown<Command extends string>(table: EnvironmentTable<Command>): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  return [
    '| variable | read by | type | default | meaning |',
    '|---|---|---|---|---|',
    ...Object.values(table)
      .map((v) =>
        [
          `\`${v.name}\``,
          v.commands.map((c) => (c === 'root' ? '(none)' : `\`${c}\``)).join(', '),
          typeLabel(v, (c) => `\`${c}\``),
          markdownDefault(v),
          cell(v.description),
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
  ].join('\n');
}

function markdownDefault(variable: VariableDefinition): string {
  if (variable.required) return 'required';
  if (variable.default === undefined) return 'unset';
  return variable.default === '' ? 'empty' : `\`${variable.default}\``;
}
