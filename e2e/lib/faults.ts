import type { Netns } from './netns';

/**
 * Faults injected into a lab pod with iptables rules inserted ahead of the pod's own; `undo` deletes exactly
 * those rules again.
 */
export interface Fault {
  /** Packets the fault's rules have dropped so far: a fault that dropped nothing tested nothing. */
  dropped(): Promise<number>;
  undo(): Promise<void>;
}

/** Marks the rules of a fault, so that their counters can be told from the pods' own rules. */
const FAULT_COMMENT = 'e2e-fault';

/** The pod drops every packet on eth0, both ways, both families, without a reset: a silent black hole. */
export function blackHole(pod: Netns): Promise<Fault> {
  return iptablesFault(
    pod,
    [
      ['INPUT', '-i', 'eth0', '-j', 'DROP'],
      ['OUTPUT', '-o', 'eth0', '-j', 'DROP'],
    ],
    ['iptables', 'ip6tables'],
  );
}

/** Random loss of `probability` on the pod's eth0 for IPv4 packets from and to `peer`, in each direction. */
export function randomLoss(pod: Netns, peer: string, probability: number): Promise<Fault> {
  const loss = ['-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-j', 'DROP'];
  return iptablesFault(
    pod,
    [
      ['INPUT', '-i', 'eth0', '-s', peer, ...loss],
      ['OUTPUT', '-o', 'eth0', '-d', peer, ...loss],
    ],
    ['iptables'],
  );
}

/** Inserts `rules` (chain, then the rule, ending with `-j TARGET`) with each of `commands`. */
async function iptablesFault(ns: Netns, rules: string[][], commands: string[]): Promise<Fault> {
  // Each rule ends with its target; the comment goes before it.
  const marked = rules.map(([chain, ...args]) => [
    chain,
    ...args.slice(0, -2),
    '-m',
    'comment',
    '--comment',
    FAULT_COMMENT,
    ...args.slice(-2),
  ]);
  for (const cmd of commands) for (const [chain, ...args] of marked) await ns.execOk(cmd, ['-w', '-I', chain, ...args]);
  return {
    dropped: async () => {
      let packets = 0;
      for (const cmd of commands) {
        for (const chain of new Set(marked.map(([c]) => c))) {
          const listing = await ns.execOk(cmd, ['-w', '-L', chain, '-v', '-x', '-n']);
          for (const line of listing.split('\n'))
            if (line.includes(`/* ${FAULT_COMMENT} */`)) packets += Number(line.trim().split(/\s+/)[0]);
        }
      }
      return packets;
    },
    undo: async () => {
      for (const cmd of commands) for (const [chain, ...args] of marked) await ns.execOk(cmd, ['-w', '-D', chain, ...args]);
    },
  };
}
