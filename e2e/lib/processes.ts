import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { HaNamespaces } from './ha-topology';

/** Process inspection through /proc and `ip netns pids`: which processes run in a lab's namespace. */
export function pidsIn(netnsName: string): number[] {
  return (spawnSync('ip', ['netns', 'pids', netnsName], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);
}

/** The command line of `pid`, arguments joined by spaces; '' when the process is gone. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Process ids of the path controllers (kube-apiserver pods) and tunnel controllers (vpn-shoot pods). */
export function controllerPids(ns: HaNamespaces): { name: string; pid: number }[] {
  const find = (netnsName: string, command: string, name: string): { name: string; pid: number } => {
    const pid = pidsIn(netnsName).find((p) => cmdline(p).includes(command));
    if (pid === undefined) throw new Error(`no ${command} running in ${netnsName}`);
    return { name, pid };
  };
  return [
    ...ns.seedClients.map((n, k) => find(n.name, 'path-controller', `path-controller kapi${k}`)),
    ...ns.shootClients.map((n, k) => find(n.name, 'tunnel-controller', `tunnel-controller shoot${k}`)),
  ];
}
