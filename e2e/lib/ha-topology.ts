import type { HaPlan } from './ha-plan';
import { LabTopology, type Layout } from './lab-topology';
import type { Netns } from './netns';

/**
 * The namespaces of an HA lab:
 *
 *   seed node: bridge br0 = seed pod network          shoot node: router, NAT gateway on its uplink
 *     ├─ servers[s]: vpn-seed-server-s                  ├─ bridge brp: shootClients[k] = vpn-shoot-k (eth0)
 *     ├─ seedClients[k]: kube-apiserver pods            ├─ shootHosts: one address per shoot network
 *     └─ ingress (eth0)  ingress ext0 ═══ outer link ═══ uplink
 *
 * kube-apiserver pods reach the servers directly over the seed pod network; vpn-shoot pods come in
 * through the ingress.
 */
export interface HaNamespaces {
  seedNode: Netns;
  servers: Netns[];
  seedClients: Netns[];
  ingress: Netns;
  shootNode: Netns;
  shootClients: Netns[];
  shootHosts: Netns;
}

export class HaTopology extends LabTopology<HaPlan, HaNamespaces> {
  static async build(plan: HaPlan, prefix: string): Promise<HaTopology> {
    return LabTopology.assemble(prefix, async (make) => {
      const [seedNode, ingress, shootNode, shootHosts, servers, seedClients, shootClients] = await Promise.all([
        make('seed'),
        make('ing'),
        make('snode'),
        make('shost'),
        Promise.all(plan.servers.map((_, s) => make(`srv${s}`))),
        Promise.all(plan.seedClients.map((_, k) => make(`kapi${k}`))),
        Promise.all(plan.shootClients.map((_, k) => make(`shoot${k}`))),
      ]);
      return new HaTopology(plan, { seedNode, servers, seedClients, ingress, shootNode, shootClients, shootHosts });
    });
  }

  protected layout(): Layout {
    const { ns, plan } = this;
    return {
      seedPods: [
        ...ns.servers.map((n, s) => ({ port: `p-srv${s}`, ns: n, addrs: plan.servers[s] })),
        ...ns.seedClients.map((n, k) => ({ port: `p-kapi${k}`, ns: n, addrs: plan.seedClients[k] })),
      ],
      shootPods: ns.shootClients.map((n, k) => ({ port: `p-shoot${k}`, ns: n, addrs: plan.shootClients[k] })),
      shootBridge: 'brp',
    };
  }
}
