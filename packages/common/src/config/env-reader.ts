import { InputError } from '../errors';
import { Cidr } from '../net/cidr';
import { Ip } from '../net/ip';
import { parseGoBool, parseGoDuration, parseGoInt, parseGoUint } from './go-syntax';
import type { ValueOf, VariableDefinition, VariableValues } from './variables';

/**
 * Reads environment variables with the reference's semantics: a variable set to "" counts as unset (its
 * default applies), lists are split on "," without trimming, CIDRs are normalised. Every refusal is an
 * InputError naming the variable and quoting its value.
 */
export class EnvReader {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The variable parsed as its table entry says; an unset one takes the entry's default, parsed like a set value. */
  value<V extends VariableDefinition>(variable: V): ValueOf<V> {
    if (this.raw(variable.name) !== undefined) return this.typed(variable) as ValueOf<V>;
    if (variable.required) throw new InputError(variable.name, 'must be set');
    if (variable.default === undefined) return undefined as ValueOf<V>;
    return new EnvReader({ [variable.name]: variable.default }).typed(variable) as ValueOf<V>;
  }

  /** The value, or undefined when unset or empty. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback = ''): string {
    return this.raw(name) ?? fallback;
  }

  bool(name: string, fallback = false): boolean {
    return this.parsed(name, fallback, parseGoBool, 'invalid boolean', '(accepted: true, false, 1, 0, t, f)');
  }

  int(name: string, fallback: number): number {
    return this.parsed(name, fallback, parseGoInt, 'invalid integer');
  }

  uint(name: string, fallback: number): number {
    return this.parsed(name, fallback, parseGoUint, 'invalid unsigned integer');
  }

  /** Milliseconds; Go `time.ParseDuration` syntax. */
  duration(name: string, fallbackMs: number): number {
    return this.parsed(name, fallbackMs, parseGoDuration, 'invalid duration', '(examples: 2s, 500ms, 1m30s)');
  }

  stringList(name: string, fallback: readonly string[]): string[] {
    const value = this.raw(name);
    return value === undefined ? [...fallback] : value.split(',');
  }

  /** A single CIDR; a comma list is refused, as Go's ParseCIDR refuses it. */
  cidr(name: string): Cidr | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value.includes(',')) throw new InputError(name, `expected one CIDR, got a list "${value}"`);
    const cidr = Cidr.tryParse(value);
    if (cidr === undefined) throw new InputError(name, `invalid CIDR "${value}"${whitespaceHint(value)}`);
    return cidr;
  }

  cidrList(name: string, fallback: readonly Cidr[]): Cidr[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    return value.split(',').map((element) => {
      const cidr = Cidr.tryParse(element);
      if (cidr === undefined) {
        throw new InputError(name, `invalid CIDR "${element}"${listHint(element)}`);
      }
      return cidr;
    });
  }

  ip(name: string): Ip | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const ip = Ip.tryParse(value);
    if (ip === undefined) throw new InputError(name, `invalid IP address "${value}"`);
    return ip;
  }

  /** The fallbacks here apply only to a default of "" (set values are never empty). */
  private typed(variable: VariableDefinition): VariableValues[keyof VariableValues] | undefined {
    const { name } = variable;
    switch (variable.type) {
      case 'string':
        return this.string(name);
      case 'enum':
        return this.choice(name, variable.choices ?? []);
      case 'bool':
        return this.bool(name);
      case 'int':
        return this.int(name, 0);
      case 'uint':
        return this.uint(name, 0);
      case 'duration':
        return this.duration(name, 0);
      case 'cidr':
        return this.cidr(name);
      case 'cidr list':
        return this.cidrList(name, []);
      case 'ip':
        return this.ip(name);
      case 'list':
        return this.stringList(name, []);
    }
  }

  private choice(name: string, choices: readonly string[]): string {
    const value = this.string(name);
    if (!choices.includes(value)) throw new InputError(name, `must be one of ${choices.join(', ')}, got "${value}"`);
    return value;
  }

  private parsed<T>(name: string, fallback: T, parse: (text: string) => T | undefined, problem: string, hint?: string): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = parse(value);
    if (parsed === undefined) {
      throw new InputError(name, `${problem} "${value}"${hint === undefined ? '' : ` ${hint}`}`);
    }
    return parsed;
  }
}

function listHint(element: string): string {
  return element === '' || element !== element.trim() ? ' (lists are split on "," without trimming)' : '';
}

function whitespaceHint(value: string): string {
  return value !== value.trim() ? ' (values are not trimmed)' : '';
}
