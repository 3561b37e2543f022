import { randomBytes } from 'node:crypto';
import type { HaLab } from './ha-lab';
import type { Netns } from './netns';
import { sleep } from './process-supervisor';
import { withRulesStripped } from './rule-stripping';

/** The address a hostile shoot pod asks the vpn-shoot pod to route into the tunnel. */
export const HIJACKED_POD_IP = '10.99.99.99';

/**
 * A pod of the shoot (not the vpn-shoot pod, and not through a tap) sends the tunnel controller of vpn-shoot
 * `shootClient` a well-formed announcement on UDP 5400 from a forged source in server 0's seed-client pool,
 * over the shoot's pod network. Resolves with the route the vpn-shoot pod then holds for HIJACKED_POD_IP
 * ('' when none), after `waitMs`.
 */
export async function forgedAnnouncement(lab: HaLab, shootClient: number, forgedSender: string, waitMs: number): Promise<string> {
  const attacker = lab.ns.shootHosts;
  const victim = lab.ns.shootClients[shootClient];
  const target = lab.plan.shootClients[shootClient].find((a) => a.family === 'IPv6');
  if (target === undefined) throw new Error('the vpn-shoot pod has no IPv6 address on the shoot network');
  await attacker.ip('-6', 'addr', 'replace', `${forgedSender}/128`, 'dev', 'lo', 'nodad');
  try {
    const announcement = JSON.stringify({
      v: 2,
      pod: HIJACKED_POD_IP,
      inst: randomBytes(8).toString('hex'),
      epoch: 0,
      seq: 1,
      nonce: randomBytes(8).toString('hex'),
      role: 'active',
    });
    const deadline = Date.now() + waitMs;
    let route = '';
    while (Date.now() < deadline && route === '') {
      await sendFrom(attacker, forgedSender, target.address, announcement);
      await sleep(200);
      route = (await victim.ip('route', 'show', `${HIJACKED_POD_IP}/32`)).trim();
    }
    return route;
  } finally {
    await attacker.ip('-6', 'addr', 'del', `${forgedSender}/128`, 'dev', 'lo');
  }
}

async function sendFrom(ns: Netns, source: string, destination: string, payload: string): Promise<void> {
  const script = [
    'import socket, sys',
    's = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)',
    's.bind((sys.argv[1], 0))',
    's.sendto(sys.argv[3].encode(), (sys.argv[2], 5400))',
  ].join('\n');
  await ns.execOk('python3', ['-c', script, source, destination, payload]);
}

/**
 * Runs `body` with the vpn-shoot pod's rules for UDP 5400 and VPN_NETWORK sources removed (both backends),
 * as on a pod without them, and puts the pod's tables back afterwards.
 */
export function withoutAnnouncementRules<T>(ns: Netns, body: () => Promise<T>): Promise<T> {
  return withRulesStripped(
    ns,
    (line) => line.includes('vpn-shoot-client:shoot-client:') && /--dport 5400|-s fd8f:6d53:b97a:1::\/96/.test(line),
    body,
  );
}
