/**
 * Kernel network counters of the pod's network namespace, read from /proc/net/{netstat,snmp,snmp6} with the
 * reference's parsing rules and error texts (gardener/vpn2 pkg/network/netstat.go).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** protocol (`Tcp`, `TcpExt`, `Ip6`, …) → statistic name → value as the kernel printed it. */
export type NetStats = Map<string, Map<string, string>>;

export class NetStatsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetStatsError';
  }
}

/**
 * `netstat` and `snmp` come as header/value line pairs (`Tcp: RtoAlgorithm …` then `Tcp: 1 …`), tokens
 * separated by one space. `fileName` is only used in error texts.
 */
export function parseProcNetPairs(fileName: string, text: string): NetStats {
  const lines = text.split('\n').filter((l) => l !== '');
  const stats: NetStats = new Map();
  for (let i = 0; i < lines.length; i += 2) {
    const header = lines[i].split(' ');
    if (i + 1 >= lines.length) throw new NetStatsError(`missing value line in ${fileName} for ${header[0]}`);
    const values = lines[i + 1].split(' ');
    if (header[0] !== values[0]) {
      throw new NetStatsError(`header to value mismatch in ${fileName}: ${header[0]} vs ${values[0]}`);
    }
    const protocol = header[0].replace(/:$/, '');
    // "mismatch … mismatch" is the reference's wording, kept verbatim.
    if (header.length !== values.length) throw new NetStatsError(`mismatch field count mismatch in ${fileName}: ${protocol}`);
    stats.set(protocol, new Map(header.slice(1).map((name, k) => [name, values[k + 1]])));
  }
  return stats;
}

/** `snmp6` has one `Ip6InReceives   123` per line; the protocol ends at the name's first `6`. */
export function parseSnmp6(text: string): NetStats {
  const stats: NetStats = new Map();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 2) continue;
    const [key, value] = fields;
    const six = key.indexOf('6');
    if (six < 0) continue;
    const protocol = key.slice(0, six + 1);
    const byName = stats.get(protocol) ?? new Map<string, string>();
    byName.set(key.slice(six + 1), value);
    stats.set(protocol, byName);
  }
  return stats;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Node's `ENOENT: no such file or directory, open '/x'` in Go's order: `open /x: no such file or directory`. */
function describeReadError(err: unknown, path: string): string {
  const e = err as NodeJS.ErrnoException;
  const problem = (e.message ?? String(err)).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return `${e.syscall ?? 'open'} ${path}: ${problem}`;
}

async function readProcNet(procRoot: string, name: string): Promise<string> {
  const path = join(procRoot, 'net', name);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isMissing(err) && name === 'snmp6') return '';
    throw new NetStatsError(describeReadError(err, path));
  }
}

async function readSection(description: string, load: () => Promise<NetStats>): Promise<NetStats> {
  try {
    return await load();
  } catch (err) {
    throw new NetStatsError(`couldn't get ${description}: ${(err as Error).message}`);
  }
}

/**
 * Merges netstat, snmp and snmp6 in that order; a protocol seen again replaces the earlier one. A missing
 * snmp6 (IPv6 disabled) is fine, a missing netstat or snmp is an error.
 */
export async function readNetStats(procRoot: string): Promise<NetStats> {
  const netstat = await readSection('netstats', async () => parseProcNetPairs('netstat', await readProcNet(procRoot, 'netstat')));
  const snmp = await readSection('SNMP stats', async () => parseProcNetPairs('snmp', await readProcNet(procRoot, 'snmp')));
  const snmp6 = await readSection('SNMP6 stats', async () => parseSnmp6(await readProcNet(procRoot, 'snmp6')));
  return new Map([...netstat, ...snmp, ...snmp6]);
}
