import type { Netns } from './netns';

/**
 * What a restarted container may not pile up: iptables rules (both backends, both families), routes
 * and addresses, counted per chain, per routing table and device, and per device and family.
 */
export type StateCounts = Record<string, number>;

const SAVE_COMMANDS = ['iptables-legacy-save', 'iptables-nft-save', 'ip6tables-legacy-save', 'ip6tables-nft-save'];

export async function countState(ns: Netns): Promise<StateCounts> {
  const counts: StateCounts = {};
  const add = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  for (const cmd of SAVE_COMMANDS) {
    const saved = await ns.execOk(cmd, []);
    for (const key of iptablesRuleKeys(saved, cmd.replace('-save', ''))) add(key);
  }
  for (const family of ['-4', '-6']) {
    const routes = await ns.execOk('ip', ['-o', family, 'route', 'show', 'table', 'all']);
    for (const key of routeKeys(routes, `route${family}`)) add(key);
  }
  for (const key of addressKeys(await ns.execOk('ip', ['-o', 'addr', 'show']))) add(key);
  return counts;
}

/** One key per rule: `<backend> <table> <chain>`. */
export function iptablesRuleKeys(saved: string, backend: string): string[] {
  let table = '';
  const keys: string[] = [];
  for (const line of saved.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    const m = /^-A (\S+)/.exec(line);
    if (m) keys.push(`${backend} ${table} ${m[1]}`);
  }
  return keys;
}

/** Rules that appear more than once in the same table of an `iptables-save` dump. */
export function duplicateRules(saved: string): string[] {
  let table = '';
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const line of saved.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    if (!line.startsWith('-A ')) continue;
    const key = `${table} ${line}`;
    if (seen.has(key)) dups.push(key);
    seen.add(key);
  }
  return dups;
}

/** One key per route: `<label> table=<table> dev=<device>`. */
export function routeKeys(routes: string, label: string): string[] {
  return routes
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const words = line.trim().split(/\s+/);
      const after = (w: string): string => {
        const i = words.indexOf(w);
        return i >= 0 ? words[i + 1] : '-';
      };
      const table = words.includes('table') ? after('table') : 'main';
      return `${label} table=${table} dev=${after('dev')}`;
    });
}

/** One key per address: `addr <device> <inet|inet6>`, from `ip -o addr show`. */
export function addressKeys(addrs: string): string[] {
  return addrs
    .split('\n')
    .map((line) => /^\d+:\s+(\S+)\s+(inet6?)\s/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `addr ${m[1]} ${m[2]}`);
}

/** `key: before -> after` for every count that differs. */
export function diffCounts(before: StateCounts, after: StateCounts): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => (before[k] ?? 0) !== (after[k] ?? 0)).map((k) => `${k}: ${before[k] ?? 0} -> ${after[k] ?? 0}`);
}

/** Duplicate rules across all backends and families of a namespace. */
export async function findDuplicateRules(ns: Netns): Promise<string[]> {
  const dups: string[] = [];
  for (const cmd of SAVE_COMMANDS) dups.push(...duplicateRules(await ns.execOk(cmd, [])).map((d) => `${cmd}: ${d}`));
  return dups;
}
