import type { Reach } from './lab';

/** With the tunnel up, ICMP from the server pod and TCP through envoy reach the shoot; kube-apiserver never does directly. */
export function reachableWithTunnel(r: Reach): boolean {
  return r.via !== 'TCP direct';
}

/** Checks whose outcome differs from the expectation (nothing before the client starts; see above with the tunnel). */
export function unexpected(before: readonly Reach[], withTunnel: readonly Reach[]): string[] {
  return [
    ...before.filter((r) => r.reached).map((r) => `before the client: ${describe(r)} was reached`),
    ...withTunnel
      .filter((r) => r.reached !== reachableWithTunnel(r))
      .map((r) => `with the tunnel: ${describe(r)} was ${r.reached ? '' : 'not '}reached (${r.detail})`),
  ];
}

/** The demo's table: one row per check, its outcome before the client started and with the tunnel up. */
export function formatReachTable(before: readonly Reach[], withTunnel: readonly Reach[]): string {
  const rows = withTunnel.map((r, i) => [r.from, r.via, `shoot ${r.host.kind} ${r.target}`, outcome(before[i]), outcome(r)]);
  const header = ['from', 'via', 'to', 'before client', 'with tunnel'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function outcome(r: Reach | undefined): string {
  if (!r) return '?';
  return r.reached ? `yes (${r.detail})` : 'no';
}

function describe(r: Reach): string {
  return `${r.via} from ${r.from} to ${r.target}`;
}
