import type { AddressPlan } from './address-plan';
import { LabTopology, type Layout } from './lab-topology';
import type { Netns } from './netns';

/**
 * The namespaces of one non-HA lab and what they stand for:
 *
 *   seed node: bridge br0 = seed pod network        shoot node: router, NAT gateway on its uplink
 *     ├─ server: vpn-seed-server pod                  ├─ client: vpn-shoot pod (eth0)
 *     ├─ kubeApiserver: kube-apiserver pod            ├─ shootHosts: one address per shoot network
 *     └─ ingress (eth0)  ingress ext0 ═══ outer link ═══ uplink
 */
export type Role = 'seedNode' | 'server' | 'kubeApiserver' | 'ingress' | 'shootNode' | 'client' | 'shootHosts';

const SHORT: Record<Role, string> = {
  seedNode: 'seed',
  server: 'srv',
  kubeApiserver: 'kapi',
  ingress: 'ing',
  shootNode: 'snode',
  client: 'cli',
  shootHosts: 'shost',
};

const ROLES = Object.keys(SHORT) as Role[];

export class Topology extends LabTopology<AddressPlan, Record<Role, Netns>> {
  static async build(plan: AddressPlan, namePrefix: string): Promise<Topology> {
    return LabTopology.assemble(namePrefix, async (make) => {
      const entries = await Promise.all(ROLES.map(async (role) => [role, await make(SHORT[role])] as const));
      return new Topology(plan, Object.fromEntries(entries) as Record<Role, Netns>);
    });
  }

  protected layout(): Layout {
    const { ns, plan } = this;
    return {
      seedPods: [
        { port: 'p-srv', ns: ns.server, addrs: plan.seedServer },
        { port: 'p-kapi', ns: ns.kubeApiserver, addrs: plan.kubeApiserver },
      ],
      shootPods: [{ port: 'p-cli', ns: ns.client, addrs: plan.shootClient }],
    };
  }
}
