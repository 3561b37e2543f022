import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';

export const PROC_SYS = '/proc/sys';

/**
 * One kernel parameter to set, by its dotted name (`net.ipv4.ip_forward`; a name whose parts contain dots,
 * such as a VLAN device, is written with slashes as sysctl(8) allows).
 */
export interface SysctlChange {
  name: string;
  value: string;
  /** Write only when the current value is this one (the reference's "disable_ipv6: if 1, set 0"). */
  onlyIfCurrently?: string;
  /**
   * Why a missing parameter may be skipped. Without it a missing parameter is an error, as in the
   * reference, where any sysctl failure aborts setup.
   */
  skipIfMissing?: string;
}

export type SysctlOutcome =
  { name: string; value: string; result: 'set' | 'unchanged' } | { name: string; value: string; result: 'skipped'; reason: string };

export interface SysctlOptions {
  /** Where the sysctl tree is mounted; tests point it at a temporary directory. */
  root?: string;
}

function sysctlPath(name: string, root: string): string {
  const parts = name.includes('/') ? name.split('/') : name.split('.');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || !/^[\w.:@+-]+$/.test(p))) {
    throw new Error(`invalid sysctl name "${name}"`);
  }
  return path.join(root, ...parts);
}

/** Multi-value parameters read back tab-separated (`1024\t65535`) whatever separator was written. */
const sameValue = (a: string, b: string): boolean => a.trim().split(/\s+/).join(' ') === b.trim().split(/\s+/).join(' ');

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function readSysctl(name: string, options: SysctlOptions = {}): Promise<string> {
  const file = sysctlPath(name, options.root ?? PROC_SYS);
  try {
    return (await fs.readFile(file, 'utf8')).replace(/\n$/, '');
  } catch (err) {
    throw new Error(`failed to read sysctl ${name}: ${reason(err)}`, { cause: err });
  }
}

export async function writeSysctl(name: string, value: string, options: SysctlOptions = {}): Promise<void> {
  const file = sysctlPath(name, options.root ?? PROC_SYS);
  try {
    if (/[\n\0]/.test(value)) throw new Error('the value contains a newline or NUL');
    // No O_CREAT: /proc/sys cannot create parameters, and a test root must not silently grow new ones.
    const handle = await fs.open(file, fsConstants.O_WRONLY | fsConstants.O_TRUNC);
    try {
      await handle.write(`${value}\n`);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new Error(`failed to set sysctl ${name}=${JSON.stringify(value)}: ${reason(err)}`, { cause: err });
  }
}

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/**
 * Applies the changes in order and stops at the first failure. A parameter that already has the wanted
 * value is not written, so a container whose /proc/sys is read-only still starts when the pod
 * (securityContext.sysctls) or the node already set it.
 */
export async function applySysctls(changes: readonly SysctlChange[], options: SysctlOptions = {}): Promise<SysctlOutcome[]> {
  const outcomes: SysctlOutcome[] = [];
  for (const change of changes) {
    const { name, value } = change;
    const file = sysctlPath(name, options.root ?? PROC_SYS);
    let current: string;
    try {
      current = await fs.readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err) && change.skipIfMissing !== undefined) {
        outcomes.push({ name, value, result: 'skipped', reason: change.skipIfMissing });
        continue;
      }
      throw new Error(`failed to set sysctl ${name}=${JSON.stringify(value)}: ${reason(err)}`, { cause: err });
    }
    if (change.onlyIfCurrently !== undefined && !sameValue(current, change.onlyIfCurrently)) {
      outcomes.push({ name, value, result: 'skipped', reason: `current value is ${JSON.stringify(current.trim())}` });
      continue;
    }
    if (sameValue(current, value)) {
      outcomes.push({ name, value, result: 'unchanged' });
      continue;
    }
    await writeSysctl(name, value, options);
    outcomes.push({ name, value, result: 'set' });
  }
  return outcomes;
}

/**
 * The nf_conntrack parameters exist only while the kernel has connection tracking (module nf_conntrack
 * loaded, or built in). On a node whose kernel has not loaded it, conntrack is not in use at all and our
 * timeouts have nothing to tune: the tunnel must still come up. A node running kube-proxy or a CNI with
 * NAT always has it loaded, and then the parameters exist in every network namespace.
 */
const CONNTRACK_ABSENT = 'connection tracking is not loaded in this kernel; its defaults will apply once it is';

const conntrackTimeout = (name: string, seconds: number): SysctlChange => ({
  name: `net.netfilter.nf_conntrack_tcp_timeout_${name}`,
  value: String(seconds),
  skipIfMissing: CONNTRACK_ABSENT,
});

/** `vpn-client setup`, every client (gardener/vpn2 pkg/vpn_client/sysctl.go): 241/24x sources would look like martians otherwise. */
export const CLIENT_COMMON_SYSCTLS: readonly SysctlChange[] = [
  { name: 'net.ipv4.conf.all.log_martians', value: '0' },
  { name: 'net.ipv4.conf.default.log_martians', value: '0' },
  { name: 'net.ipv4.conf.all.rp_filter', value: '0' },
  { name: 'net.ipv4.conf.default.rp_filter', value: '0' },
  { name: 'net.ipv4.tcp_wmem', value: '65536\t12582912\t16777216' },
  { name: 'net.ipv4.tcp_rmem', value: '65536\t12582912\t16777216' },
];

/** `vpn-client setup` of a shoot client, in the reference's order. It never touches disable_ipv6. */
export const SHOOT_CLIENT_SYSCTLS: readonly SysctlChange[] = [
  { name: 'net.ipv4.ip_local_port_range', value: '1024 65535' },
  { name: 'net.ipv4.tcp_tw_reuse', value: '1' },
  { name: 'net.ipv4.tcp_fin_timeout', value: '30' },
  conntrackTimeout('established', 600),
  conntrackTimeout('syn_sent', 30),
  conntrackTimeout('syn_recv', 30),
  conntrackTimeout('fin_wait', 30),
  conntrackTimeout('time_wait', 30),
  conntrackTimeout('close_wait', 30),
  conntrackTimeout('unacknowledged', 60),
  conntrackTimeout('max_retrans', 120),
  { name: 'net.ipv4.ip_forward', value: '1' },
  { name: 'net.ipv6.conf.all.forwarding', value: '1' },
];

const ENABLE_IPV6: SysctlChange = { name: 'net.ipv6.conf.all.disable_ipv6', value: '0', onlyIfCurrently: '1' };

/** `vpn-client setup` of a seed client (kube-apiserver sidecar): the transfer network is IPv6. */
export const SEED_CLIENT_SYSCTLS: readonly SysctlChange[] = [ENABLE_IPV6];

/** `vpn-server setup`. */
export const SERVER_SETUP_SYSCTLS: readonly SysctlChange[] = [ENABLE_IPV6];

/**
 * HA clients (our routed design): no duplicate address detection on the taps OpenVPN creates later,
 * which otherwise delays every tap (re)creation by ~2.2 s. `default` covers devices created from now on;
 * `all` is set too because the kernel runs DAD when either says so.
 */
export const HA_CLIENT_SYSCTLS: readonly SysctlChange[] = [
  { name: 'net.ipv6.conf.all.accept_dad', value: '0' },
  { name: 'net.ipv6.conf.default.accept_dad', value: '0' },
  ...haTapSysctls('all'),
  ...haTapSysctls('default'),
];

/**
 * A tap carries frames from every client of its server, so the shoot can send router advertisements and
 * redirects into the kube-apiserver pod: none may give the pod a route or an address (the pod's rules drop
 * them too). Set for `all` and `default` before the taps exist, and for each tap once it does (a tap that
 * existed before inherited nothing from `default`).
 */
export function haTapSysctls(device: string): SysctlChange[] {
  return [
    { name: `net.ipv6.conf.${device}.accept_ra`, value: '0' },
    { name: `net.ipv6.conf.${device}.accept_redirects`, value: '0' },
    { name: `net.ipv4.conf.${device}.accept_redirects`, value: '0' },
  ];
}

/** Everything `vpn-client setup` sets, in order: common, role-specific, then the HA additions. */
export function clientSetupSysctls(client: { isShootClient: boolean; ha: boolean }): SysctlChange[] {
  return [
    ...CLIENT_COMMON_SYSCTLS,
    ...(client.isShootClient ? SHOOT_CLIENT_SYSCTLS : SEED_CLIENT_SYSCTLS),
    ...(client.ha ? HA_CLIENT_SYSCTLS : []),
  ];
}
