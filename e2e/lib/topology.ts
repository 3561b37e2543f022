import type { AddressPlan, IfAddr } from './address-plan';
import { Netns } from './netns';

/**
 * The namespaces of one lab and what they stand for:
 *
 *   seed node: bridge br0 = seed pod network        shoot node: router, NAT gateway on its uplink
 *     ├─ server: vpn-seed-server pod                  ├─ client: vpn-shoot pod (eth0)
 *     ├─ kubeApiserver: kube-apiserver pod            ├─ shootHosts: one address per shoot network
 *     └─ ingress (eth0)  ingress ext0 ═══ outer link ═══ uplink
 *
 * Pods have a default route via their eth0 and forwarding on, as on a forwarding node. The seed node only
 * bridges: nothing is routed out of the seed pod network. The outer link carries the shoot's IP families.
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

export class Topology {
  private constructor(
    readonly plan: AddressPlan,
    readonly ns: Record<Role, Netns>,
  ) {}

  /** Builds the lab; on any failure the namespaces created so far are removed again. */
  static async build(plan: AddressPlan, namePrefix: string): Promise<Topology> {
    const created: Netns[] = [];
    try {
      const entries = await Promise.all(
        ROLES.map(async (role) => {
          const ns = await Netns.create(`${namePrefix}-${SHORT[role]}`);
          created.push(ns);
          return [role, ns] as const;
        }),
      );
      const topology = new Topology(plan, Object.fromEntries(entries) as Record<Role, Netns>);
      await topology.wire();
      return topology;
    } catch (err) {
      created.forEach((ns) => ns.destroy());
      throw err;
    }
  }

  destroy(): void {
    ROLES.forEach((role) => this.ns[role].destroy());
  }

  /** Leaves the namespaces in place after this process exits (the demo's `--keep`). */
  release(): void {
    ROLES.forEach((role) => this.ns[role].release());
  }

  /** Four phases, each one process per namespace at most, run in parallel: sysctls, links, addresses and routes, NAT. */
  private async wire(): Promise<void> {
    const { ns, plan } = this;
    // Without DAD, IPv6 addresses are usable at once instead of after ~2 s; set before links exist.
    const noDad = { 'net.ipv6.conf.all.accept_dad': 0, 'net.ipv6.conf.default.accept_dad': 0 };
    const forwarding = { 'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1 };
    const forwards: Role[] = ['server', 'kubeApiserver', 'shootNode'];
    await Promise.all(ROLES.map((r) => ns[r].sysctl(forwards.includes(r) ? { ...noDad, ...forwarding } : noDad)));

    const veth = (name: string, peer: Netns, peerName: string): string => `link add ${name} type veth peer name ${peerName} netns ${peer.name}`;
    const seedPorts = ['p-srv', 'p-kapi', 'p-ing'];
    await Promise.all([
      ns.seedNode.ipBatch([
        'link add br0 type bridge',
        veth('p-srv', ns.server, 'eth0'),
        veth('p-kapi', ns.kubeApiserver, 'eth0'),
        veth('p-ing', ns.ingress, 'eth0'),
        ...seedPorts.map((p) => `link set ${p} master br0`),
      ]),
      ns.shootNode.ipBatch([veth('uplink', ns.ingress, 'ext0'), veth('p-cli', ns.client, 'eth0'), veth('p-hosts', ns.shootHosts, 'eth0')]),
    ]);

    const pod = plan.shootHosts.filter((h) => h.kind === 'pod').map((h) => h.gateway);
    const config: Record<Role, string[]> = {
      seedNode: [...up('br0', plan.seedGateways), ...seedPorts.flatMap((p) => up(p, []))],
      server: [...up('eth0', plan.seedServer), ...defaultRoutes(plan.seedGateways)],
      kubeApiserver: [...up('eth0', plan.kubeApiserver), ...defaultRoutes(plan.seedGateways)],
      ingress: [...up('eth0', plan.ingressInternal), ...up('ext0', plan.ingressExternal)],
      shootNode: [...up('uplink', plan.shootUplink), ...up('p-cli', plan.shootClientGateways), ...up('p-hosts', plan.shootHosts.map((h) => h.gateway))],
      client: [...up('eth0', plan.shootClient), ...defaultRoutes(plan.shootClientGateways)],
      shootHosts: [...up('eth0', plan.shootHosts.map((h) => h.address)), ...defaultRoutes(pod)],
    };
    await Promise.all(ROLES.map((r) => ns[r].ipBatch(['link set lo up', ...config[r]])));

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

/** Pods route everything else via eth0, as a pod's default route does. */
function defaultRoutes(gateways: IfAddr[]): string[] {
  return gateways.map((g) => `route add default via ${g.address} dev eth0`);
}
