import type { AddressPlan, IfAddr } from './address-plan';
import { Netns } from './netns';

/**
 * What the topologies of every lab share: the nodes around the pods and how the pods hang off them.
 *
 *   seed node: bridge br0 = seed pod network        shoot node: router, NAT gateway on its uplink
 *     ├─ seed pods (eth0)                             ├─ vpn-shoot pods (eth0), on a bridge brp when asked
 *     └─ ingress (eth0)  ingress ext0 ═══ outer link ═══ uplink
 *                                                     └─ shootHosts: one address per shoot network
 *
 * Seed pods have a default route via their eth0 and forwarding on, as on a forwarding node. The seed node
 * only bridges: nothing is routed out of the seed pod network. The outer link carries the shoot's IP families.
 */
export interface Nodes {
  seedNode: Netns;
  ingress: Netns;
  shootNode: Netns;
  shootHosts: Netns;
}

/** A pod: the node's end of its veth (the pod's end is eth0) and the pod's addresses. */
export interface Pod {
  port: string;
  ns: Netns;
  addrs: IfAddr[];
}

export interface Layout {
  /** On the seed node's bridge, routed via the seed gateways. */
  seedPods: Pod[];
  /** On the shoot node, routed via the shoot client gateways. */
  shootPods: Pod[];
  /** With a bridge the vpn-shoot pods share it and the gateways sit on it; without, on each pod's port. */
  shootBridge?: string;
}

/** The addresses of a plan that the shared wiring uses: those both address plans have. */
export type NodePlan = Pick<
  AddressPlan,
  'seedGateways' | 'ingressInternal' | 'ingressExternal' | 'shootUplink' | 'shootClientGateways' | 'shootHosts'
>;

export abstract class LabTopology<Plan extends NodePlan, Namespaces extends Nodes> {
  protected constructor(
    readonly plan: Plan,
    readonly ns: Namespaces,
  ) {}

  /** Which namespaces are the lab's pods, and how they are attached. */
  protected abstract layout(): Layout;

  get all(): Netns[] {
    const { seedNode, ingress, shootNode, shootHosts } = this.ns;
    const { seedPods, shootPods } = this.layout();
    return [seedNode, ...seedPods.map((p) => p.ns), ingress, shootNode, ...shootPods.map((p) => p.ns), shootHosts];
  }

  destroy(): void {
    this.all.forEach((ns) => ns.destroy());
  }

  /** Leaves the namespaces in place after this process exits (the demo's `--keep`). */
  release(): void {
    this.all.forEach((ns) => ns.release());
  }

  /**
   * Creates the namespaces `create` names (each `<prefix>-<role>`) and wires the topology it returns; on any
   * failure the namespaces created so far are removed again.
   */
  protected static async assemble<T extends LabTopology<NodePlan, Nodes>>(
    prefix: string,
    create: (make: (role: string) => Promise<Netns>) => Promise<T>,
  ): Promise<T> {
    const created: Netns[] = [];
    try {
      const topology = await create(async (role) => {
        const ns = await Netns.create(`${prefix}-${role}`);
        created.push(ns);
        return ns;
      });
      await topology.wire();
      return topology;
    } catch (err) {
      created.forEach((ns) => ns.destroy());
      throw err;
    }
  }

  /** Four phases, each one process per namespace at most, run in parallel: sysctls, links, addresses and routes, NAT. */
  private async wire(): Promise<void> {
    const { ns, plan } = this;
    const { seedPods, shootPods, shootBridge } = this.layout();
    // Without DAD, IPv6 addresses are usable at once instead of after ~2 s; set before links exist.
    const noDad = { 'net.ipv6.conf.all.accept_dad': 0, 'net.ipv6.conf.default.accept_dad': 0 };
    const forwarding = { 'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1 };
    const forwards = new Set([...seedPods.map((p) => p.ns), ns.shootNode]);
    await Promise.all(this.all.map((n) => n.sysctl(forwards.has(n) ? { ...noDad, ...forwarding } : noDad)));

    const veth = (name: string, peer: Netns, peerName: string): string =>
      `link add ${name} type veth peer name ${peerName} netns ${peer.name}`;
    const seedPorts = [...seedPods.map((p) => p.port), 'p-ing'];
    await Promise.all([
      ns.seedNode.ipBatch([
        'link add br0 type bridge',
        ...seedPods.map((p) => veth(p.port, p.ns, 'eth0')),
        veth('p-ing', ns.ingress, 'eth0'),
        ...seedPorts.map((p) => `link set ${p} master br0`),
      ]),
      ns.shootNode.ipBatch([
        ...(shootBridge ? [`link add ${shootBridge} type bridge`] : []),
        veth('uplink', ns.ingress, 'ext0'),
        veth('p-hosts', ns.shootHosts, 'eth0'),
        ...shootPods.flatMap((p) => [veth(p.port, p.ns, 'eth0'), ...(shootBridge ? [`link set ${p.port} master ${shootBridge}`] : [])]),
      ]),
    ]);

    const podGateways = plan.shootHosts.filter((h) => h.kind === 'pod').map((h) => h.gateway);
    const shootGateways = shootBridge
      ? [...up(shootBridge, plan.shootClientGateways), ...shootPods.flatMap((p) => up(p.port, []))]
      : shootPods.flatMap((p) => up(p.port, plan.shootClientGateways));
    const configs: [Netns, string[]][] = [
      [ns.seedNode, [...up('br0', plan.seedGateways), ...seedPorts.flatMap((p) => up(p, []))]],
      ...seedPods.map((p): [Netns, string[]] => [p.ns, [...up('eth0', p.addrs), ...defaultRoutes(plan.seedGateways)]]),
      [ns.ingress, [...up('eth0', plan.ingressInternal), ...up('ext0', plan.ingressExternal)]],
      [
        ns.shootNode,
        [
          ...up('uplink', plan.shootUplink),
          ...shootGateways,
          ...up(
            'p-hosts',
            plan.shootHosts.map((h) => h.gateway),
          ),
        ],
      ],
      ...shootPods.map((p): [Netns, string[]] => [p.ns, [...up('eth0', p.addrs), ...defaultRoutes(plan.shootClientGateways)]]),
      [
        ns.shootHosts,
        [
          ...up(
            'eth0',
            plan.shootHosts.map((h) => h.address),
          ),
          ...defaultRoutes(podGateways),
        ],
      ],
    ];
    await Promise.all(configs.map(([n, lines]) => n.ipBatch(['link set lo up', ...lines])));

    await Promise.all(
      plan.shootUplink.map(({ family }) =>
        ns.shootNode.execOk(family === 'IPv4' ? 'iptables' : 'ip6tables', [
          '-t',
          'nat',
          '-A',
          'POSTROUTING',
          '-o',
          'uplink',
          '-j',
          'MASQUERADE',
        ]),
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
