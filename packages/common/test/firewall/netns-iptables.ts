import type { BackendName, CommandRunner } from '../../src/firewall/backend';
import { run } from '../../src/system/exec';
import type { TestNetns } from '../support/netns';

/** Runs every command inside the namespace: the engine then manages that namespace's tables. */
export function netnsRunner(ns: TestNetns): CommandRunner {
  return (file, args, input) => run('ip', ['netns', 'exec', ns.name, file, ...args], { input });
}

/** `iptables-save` and `ip6tables-save` of the namespace, without timestamps and counters. */
export function saveAll(ns: TestNetns, backend: BackendName): string {
  return ['iptables', 'ip6tables']
    .map((binary) => {
      const saved = ns.exec(`/usr/sbin/${binary}-${backend}-save`, []);
      if (saved.status !== 0) throw new Error(`${binary}-${backend}-save: ${saved.stderr}`);
      return saved.stdout
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .map((line) => line.replace(/\[\d+:\d+\]/, '[0:0]'))
        .join('\n');
    })
    .join('\n');
}

/** Runs one iptables command of the backend in the namespace, failing the test on error. */
export function iptablesIn(ns: TestNetns, backend: BackendName, family: 4 | 6, args: string): string {
  return ns.sh(`/usr/sbin/${family === 4 ? 'iptables' : 'ip6tables'}-${backend} --wait ${args}`);
}
