import type { Cidr } from '../net/cidr';
import type { NetmapEntry } from '../net/netmap';
import type { IpFamily } from '../openvpn/values';
import { envoyNetmapRules, repliesOnlyRules, seedPodNetmapRules } from './rule-blocks';
import { ruleFamilyOf, ruleTag, type Rule, type RuleFamily, type RuleTag } from './rule';

/** One rule set per client container, named by its OpenVPN device (`tun0`, `tap<s>`), so parallel clients never share one. */
export function shootClientTag(device: string): RuleTag {
  return ruleTag('vpn-shoot-client', 'shoot-client', device);
}

export function seedClientTag(device: string): RuleTag {
  return ruleTag('vpn-shoot-client', 'seed-client', device);
}

/** The pod network interface that shoot traffic leaves by. */
const POD_INTERFACE = 'eth0';

/** ICMPv6 router solicitation/advertisement, neighbour solicitation/advertisement, redirect (RFC 4861). */
const NEIGHBOUR_DISCOVERY_TYPES = [133, 134, 135, 136, 137] as const;

export interface ShootClientRuleOptions {
  /** The device seed traffic arrives on; may be an iptables wildcard such as `tap+`. */
  readonly forwardDevice: string;
  /** IP_FAMILIES. */
  readonly families: readonly IpFamily[];
  /** The shoot's IPv4 networks and their 242/243/244 blocks. */
  readonly mappings: readonly NetmapEntry[];
  /** Non-HA always; HA only when the seed pod network overlaps a shoot network. */
  readonly applyNetmap: boolean;
}

/**
 * Shoot client, as gardener/vpn2 pkg/vpn_client/iptables.go: forward what comes through the tunnel, restore the real shoot
 * addresses, clamp MSS both ways, MASQUERADE onto the pod network.
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
      { family, table: 'mangle', chain: 'POSTROUTING', args: ['-p', 'tcp', '--tcp-flags', 'SYN,RST', 'SYN', '-j', 'TCPMSS', '--clamp-mss-to-pmtu'] },
      { family, table: 'nat', chain: 'POSTROUTING', args: ['-o', POD_INTERFACE, '-j', 'MASQUERADE'] },
    ]),
  ];
}

export interface SeedClientRuleOptions {
  /** This client's tap device (or a wildcard such as `tap+`). */
  readonly device: string;
  /** The shoot's IPv4 networks and their 242/243/244 blocks. */
  readonly mappings: readonly NetmapEntry[];
  readonly seedPodNetwork?: Cidr | undefined;
  /** The seed pod network overlaps a shoot network. */
  readonly applyNetmap: boolean;
}

/**
 * Seed client (the kube-apiserver pod, HA; gardener/vpn2 pkg/vpn_client/iptables.go). The transfer network is IPv6 whatever the
 * shoot's families, so both families admit from the device only replies, and IPv6 also neighbour
 * discovery (which conntrack does not track), never other ICMPv6 a shoot could initiate. kube-apiserver
 * pods inherit ip_forward=1 from their node, so FORWARD admits only replies too: otherwise a shoot could route
 * through the pod into the seed's networks.
 */
export function seedClientRules(options: SeedClientRuleOptions): Rule[] {
  const { device, seedPodNetwork } = options;
  const neighbourDiscovery = NEIGHBOUR_DISCOVERY_TYPES.map((type) => ['-p', 'ipv6-icmp', '--icmpv6-type', String(type), '-j', 'ACCEPT']);
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
  return { family: 4, table: 'nat', chain: 'PREROUTING', args: ['-i', device, '-d', m.mapped.toString(), '-j', 'NETMAP', '--to', m.source.toString()] };
}

/** Shoot sources going back to the seed carry the mapped address the seed knows. */
function hideShootNetwork(device: string, m: NetmapEntry): Rule {
  return { family: 4, table: 'nat', chain: 'POSTROUTING', args: ['-o', device, '-s', m.source.toString(), '-j', 'NETMAP', '--to', m.mapped.toString()] };
}

function sortedFamilies(families: readonly IpFamily[]): RuleFamily[] {
  return [...new Set(families.map(ruleFamilyOf))].sort((a, b) => a - b);
}
