import type { IfAddr } from './address-plan';
import type { HaPlan } from './ha-plan';
import { Netns } from './netns';

/**
 * The namespaces of an HA lab:
 *
 *   seed node: bridge br0 = seed pod network          shoot node: router, NAT gateway on its uplink
 *     ├─ servers[s]: vpn-seed-server-s                  ├─ bridge brp: shootClients[k] = vpn-shoot-k (eth0)
 *     ├─ seedClients[k]: kube-apiserver pods            ├─ shootHosts: one address per shoot network
 *     └─ ingress (eth0)  ingress ext0 ═══ outer link ═══ uplink
 *
 * kube-apiserver pods reach the servers directly over the seed pod network; vpn-shoot pods come in
 * through the ingress. Pods have a default route via eth0 and forwarding on, as on a forwarding node.
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

export class HaTopology {
  private constructor(
    readonly plan: HaPlan,
    readonly ns: HaNamespaces,
  ) {}

  get all(): Netns[] {
    const { seedNode, servers, seedClients, ingress, shootNode, shootClients, shootHosts } = this.ns;
    return [seedNode, ...servers, ...seedClients, ingress, shootNode, ...shootClients, shootHosts];
  }

  /** Builds the lab; on any failure the namespaces created so far are removed again. */
  static async build(plan: HaPlan, prefix: string): Promise<HaTopology> {
    const created: Netns[] = [];
    const make = async (role: string): Promise<Netns> => {
      const ns = await Netns.create(`${prefix}-${role}`);
      created.push(ns);
      return ns;
    };
    try {
      const [seedNode, ingress, shootNode, shootHosts, servers, seedClients, shootClients] = await Promise.all([
        make('seed'),
        make('ing'),
        make('snode'),
        make('shost'),
        Promise.all(plan.servers.map((_, s) => make(`srv${s}`))),
        Promise.all(plan.seedClients.map((_, k) => make(`kapi${k}`))),
        Promise.all(plan.shootClients.map((_, k) => make(`shoot${k}`))),
      ]);
      const topology = new HaTopology(plan, { seedNode, servers, seedClients, ingress, shootNode, shootClients, shootHosts });
      await topology.wire();
      return topology;
    } catch (err) {
      created.forEach((ns) => ns.destroy());
      throw err;
    }
  }

  destroy(): void {
    this.all.forEach((ns) => ns.destroy());
  }

  private async wire(): Promise<void> {
    const { ns, plan } = this;
    const noDad = { 'net.ipv6.conf.all.accept_dad': 0, 'net.ipv6.conf.default.accept_dad': 0 };
    const forwarding = { 'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1 };
    const forwards = new Set([...ns.servers, ...ns.seedClients, ns.shootNode]);
    await Promise.all(this.all.map((n) => n.sysctl(forwards.has(n) ? { ...noDad, ...forwarding } : noDad)));

    const veth = (name: string, peer: Netns, peerName: string): string => `link add ${name} type veth peer name ${peerName} netns ${peer.name}`;
    const seedPorts: [string, Netns][] = [
      ...ns.servers.map((n, s): [string, Netns] => [`p-srv${s}`, n]),
      ...ns.seedClients.map((n, k): [string, Netns] => [`p-kapi${k}`, n]),
      ['p-ing', ns.ingress],
    ];
    const shootPorts = ns.shootClients.map((n, k): [string, Netns] => [`p-shoot${k}`, n]);
    await Promise.all([
      ns.seedNode.ipBatch(['link add br0 type bridge', ...seedPorts.flatMap(([p, n]) => [veth(p, n, 'eth0'), `link set ${p} master br0`])]),
      ns.shootNode.ipBatch([
        'link add brp type bridge',
        veth('uplink', ns.ingress, 'ext0'),
        veth('p-hosts', ns.shootHosts, 'eth0'),
        ...shootPorts.flatMap(([p, n]) => [veth(p, n, 'eth0'), `link set ${p} master brp`]),
      ]),
    ]);

    const podGateways = plan.shootHosts.filter((h) => h.kind === 'pod').map((h) => h.gateway);
    const seedPod = (addrs: IfAddr[]): string[] => [...up('eth0', addrs), ...defaultRoutes(plan.seedGateways)];
    const configs: [Netns, string[]][] = [
      [ns.seedNode, [...up('br0', plan.seedGateways), ...seedPorts.flatMap(([p]) => up(p, []))]],
      ...ns.servers.map((n, s): [Netns, string[]] => [n, seedPod(plan.servers[s])]),
      ...ns.seedClients.map((n, k): [Netns, string[]] => [n, seedPod(plan.seedClients[k])]),
      [ns.ingress, [...up('eth0', plan.ingressInternal), ...up('ext0', plan.ingressExternal)]],
      [
        ns.shootNode,
        [
          ...up('uplink', plan.shootUplink),
          ...up('brp', plan.shootClientGateways),
          ...shootPorts.flatMap(([p]) => up(p, [])),
          ...up('p-hosts', plan.shootHosts.map((h) => h.gateway)),
        ],
      ],
      ...ns.shootClients.map((n, k): [Netns, string[]] => [n, [...up('eth0', plan.shootClients[k]), ...defaultRoutes(plan.shootClientGateways)]]),
      [ns.shootHosts, [...up('eth0', plan.shootHosts.map((h) => h.address)), ...defaultRoutes(podGateways)]],
    ];
    await Promise.all(configs.map(([n, lines]) => n.ipBatch(['link set lo up', ...lines])));

    await Promise.all(
      plan.shootUplink.map(({ family }) =>
        ns.shootNode.execOk(family === 'IPv4' ? 'iptables' : 'ip6tables', ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'uplink', '-j', 'MASQUERADE']),
      ),
    );
  }
}

function up(dev: string, addrs: IfAddr[]): string[] {
  return [...addrs.map((a) => `addr add ${a.address}/${a.prefix} dev ${dev}${a.family === 'IPv6' ? ' nodad' : ''}`), `link set ${dev} up`];
}

function defaultRoutes(gateways: IfAddr[]): string[] {
  return gateways.map((g) => `route add default via ${g.address} dev eth0`);
}
