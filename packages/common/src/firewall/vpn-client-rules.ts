import { ANNOUNCEMENT_PORT } from '../ha-ports';
import { Cidr } from '../net/cidr';
import { haPoolStart, haServerSlice } from '../net/ha-address-plan';
import { Ip } from '../net/ip';
import type { NetmapEntry } from '../net/netmap';
import type { IpFamily } from '../net/family';
import { envoyNetmapRules, repliesOnlyRules, seedPodNetmapRules } from './rule-blocks';
import { ipVersionOf, type IpVersion } from '../net/family';
import { ruleTag, type Rule, type RuleTag } from './rule';

/** One rule set per client container, named by its OpenVPN device (`tun0`, `tap<s>`), so parallel clients never share one. */
export function shootClientTag(device: string): RuleTag {
  return ruleTag('vpn-shoot-client', 'shoot-client', device);
}

export function seedClientTag(device: string): RuleTag {
  return ruleTag('vpn-shoot-client', 'seed-client', device);
}

/** The pod network interface that shoot traffic leaves by. */
const POD_INTERFACE = 'eth0';

/**
 * ICMPv6 neighbour solicitation and advertisement (RFC 4861), the only neighbour discovery a seed client
 * needs from its taps. Router solicitations/advertisements (133/134) and redirects (137) are left to the
 * DROP: from a tap they could only come from the shoot, and would give the pod routes and addresses.
 */
const NEIGHBOUR_DISCOVERY_TYPES = [135, 136] as const;
/** RFC 4861 §7.1.1/7.1.2: a genuine neighbour discovery message was never forwarded, so it arrives with hop limit 255. */
const ON_LINK_HOP_LIMIT = '255';
/** Neighbour discovery accepted per type from one tap; beyond it the DROP applies. Far above what a few peers need. */
const NEIGHBOUR_DISCOVERY_LIMIT = ['-m', 'limit', '--limit', '100/sec', '--limit-burst', '200'];
const LINK_LOCAL = Cidr.parse('fe80::/10');
const TAP_WILDCARD = 'tap+';

export interface ShootClientRuleOptions {
  /** The device seed traffic arrives on; may be an iptables wildcard such as `tap+`. */
  readonly forwardDevice: string;
  /** IP_FAMILIES. */
  readonly families: readonly IpFamily[];
  /** The shoot's IPv4 networks and their 242/243/244 blocks. */
  readonly mappings: readonly NetmapEntry[];
  /** Non-HA always; HA only when the seed pod network overlaps a shoot network. */
  readonly applyNetmap: boolean;
  /** HA: this container's server, whose tap is `forwardDevice`. */
  readonly ha?: { readonly server: number; readonly vpnNetwork: Cidr };
}

/**
 * Shoot client, as gardener/vpn2 pkg/vpn_client/iptables.go: forward what comes through the tunnel, restore
 * the real shoot addresses, clamp MSS both ways, MASQUERADE onto the pod network. In HA also the admission
 * of the tunnel controller's datagrams (haShootClientRules).
 */
export function shootClientRules(options: ShootClientRuleOptions): Rule[] {
  const { forwardDevice: device, mappings } = options;
  const families = sortedFamilies(options.families);
  const ipv4: Rule[] = families.includes(4)
    ? [
        { family: 4, table: 'filter', chain: 'FORWARD', args: ['-i', device, '-j', 'ACCEPT'] },
        ...(options.applyNetmap ? mappings.map((m) => restoreShootNetwork(device, m)) : []),
        ...(options.applyNetmap ? mappings.map((m) => hideShootNetwork(device, m)) : []),
      ]
    : [];
  return [
    ...ipv4,
    ...families.flatMap((family): Rule[] => [
      {
        family,
        table: 'mangle',
        chain: 'POSTROUTING',
        args: ['-p', 'tcp', '--tcp-flags', 'SYN,RST', 'SYN', '-j', 'TCPMSS', '--clamp-mss-to-pmtu'],
      },
      { family, table: 'nat', chain: 'POSTROUTING', args: ['-o', POD_INTERFACE, '-j', 'MASQUERADE'] },
    ]),
    ...(options.ha === undefined ? [] : haShootClientRules(device, options.ha.server, options.ha.vpnNetwork)),
  ];
}

/**
 * The vpn-shoot pod's tunnel controller listens on UDP 5400 on all addresses, and Node cannot see which
 * interface a datagram came in by: any pod of the shoot could send it announcements from a forged source in
 * a server slice. So the pod admits UDP 5400 only through tap<s> from server s's seed-client pool, nothing of
 * it over IPv4, and (raw table, before routing and conntrack) no VPN_NETWORK source except through a tap and,
 * through tap<s>, only from server s's slice. Each rule is a plain DROP, so the rule sets of the client
 * containers (one per server) work in any order; the shared ones exist once per container.
 */
function haShootClientRules(tap: string, server: number, vpnNetwork: Cidr): Rule[] {
  const slice = haServerSlice(vpnNetwork, server);
  const pool = `${haPoolStart(vpnNetwork, server).toString()}-${lastAddress(slice).toString()}`;
  const sliceRange = `${slice.network.toString()}-${lastAddress(slice).toString()}`;
  const udp = ['-p', 'udp', '-m', 'udp', '--dport', String(ANNOUNCEMENT_PORT)];
  return [
    { family: 4, table: 'filter', chain: 'INPUT', args: [...udp, '-j', 'DROP'] },
    { family: 6, table: 'filter', chain: 'INPUT', args: ['!', '-i', TAP_WILDCARD, ...udp, '-j', 'DROP'] },
    { family: 6, table: 'filter', chain: 'INPUT', args: ['-i', tap, ...udp, '-m', 'iprange', '!', '--src-range', pool, '-j', 'DROP'] },
    { family: 6, table: 'raw', chain: 'PREROUTING', args: ['!', '-i', TAP_WILDCARD, '-s', vpnNetwork.toString(), '-j', 'DROP'] },
    {
      family: 6,
      table: 'raw',
      chain: 'PREROUTING',
      args: ['-i', tap, '-s', vpnNetwork.toString(), '-m', 'iprange', '!', '--src-range', sliceRange, '-j', 'DROP'],
    },
  ];
}

function lastAddress(cidr: Cidr): Ip {
  return Ip.fromValue(cidr.family, cidr.network.value + cidr.size - 1n);
}

export interface SeedClientRuleOptions {
  /** This client's tap device (or a wildcard such as `tap+`). */
  readonly device: string;
  /** The shoot's IPv4 networks and their 242/243/244 blocks. */
  readonly mappings: readonly NetmapEntry[];
  readonly seedPodNetwork?: Cidr | undefined;
  /** The seed pod network overlaps a shoot network. */
  readonly applyNetmap: boolean;
  /** The addresses that may send neighbour discovery through `device`: its server's slice (link-local is always allowed). */
  readonly neighbourSlice: Cidr;
}

/**
 * Seed client (the kube-apiserver pod, HA; gardener/vpn2 pkg/vpn_client/iptables.go). The transfer network is IPv6 whatever the
 * shoot's families, so both families admit from the device only replies, and IPv6 also neighbour
 * solicitations and advertisements (which conntrack does not track) from the addresses that belong on the
 * tap, on-link and rate-limited; never router advertisements, redirects or other ICMPv6 a shoot could
 * initiate (`setup` also turns accept_ra and accept_redirects off). kube-apiserver pods inherit ip_forward=1
 * from their node, so FORWARD admits only replies too: otherwise a shoot could route through the pod into the
 * seed's networks.
 */
export function seedClientRules(options: SeedClientRuleOptions): Rule[] {
  const { device, seedPodNetwork } = options;
  const neighbourDiscovery = [options.neighbourSlice, LINK_LOCAL].flatMap((source) =>
    NEIGHBOUR_DISCOVERY_TYPES.map((type) => [
      '-s',
      source.toString(),
      '-p',
      'ipv6-icmp',
      '--icmpv6-type',
      String(type),
      '-m',
      'hl',
      '--hl-eq',
      ON_LINK_HOP_LIMIT,
      ...NEIGHBOUR_DISCOVERY_LIMIT,
      '-j',
      'ACCEPT',
    ]),
  );
  return [
    ...(options.applyNetmap ? envoyNetmapRules(options.mappings) : []),
    ...(options.applyNetmap && seedPodNetwork?.family === 'IPv4' ? seedPodNetmapRules(device, seedPodNetwork) : []),
    ...repliesOnlyRules(4, 'INPUT', device),
    ...repliesOnlyRules(6, 'INPUT', device, neighbourDiscovery),
    ...repliesOnlyRules(4, 'FORWARD', device),
    ...repliesOnlyRules(6, 'FORWARD', device),
  ];
}

/** Mapped shoot destinations arriving from the seed get their real address back. */
function restoreShootNetwork(device: string, m: NetmapEntry): Rule {
  return {
    family: 4,
    table: 'nat',
    chain: 'PREROUTING',
    args: ['-i', device, '-d', m.mapped.toString(), '-j', 'NETMAP', '--to', m.source.toString()],
  };
}

/** Shoot sources going back to the seed carry the mapped address the seed knows. */
function hideShootNetwork(device: string, m: NetmapEntry): Rule {
  return {
    family: 4,
    table: 'nat',
    chain: 'POSTROUTING',
    args: ['-o', device, '-s', m.source.toString(), '-j', 'NETMAP', '--to', m.mapped.toString()],
  };
}

function sortedFamilies(families: readonly IpFamily[]): IpVersion[] {
  return [...new Set(families.map(ipVersionOf))].sort((a, b) => a - b);
}
