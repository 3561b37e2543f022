import type { Cidr } from '../net/cidr';
import type { NetmapEntry } from '../net/netmap';
import { envoyNetmapRules, repliesOnlyRules, seedPodNetmapRules } from './rule-blocks';
import { IP_VERSIONS } from '../net/family';
import { ruleTag, type Rule, type RuleTag } from './rule';

/** The non-HA root command's envoy NETMAP rules. */
export const SEED_SERVER_ROOT_TAG: RuleTag = ruleTag('vpn-seed-server', 'root');

/** The rules `firewall --mode up --device <device>` sets and `--mode down` removes. */
export function seedServerFirewallTag(device: string): RuleTag {
  return ruleTag('vpn-seed-server', 'firewall', device);
}

/** The reference's root command (non-HA): IPv4 nat OUTPUT NETMAP of the envoy group per shoot network. */
export function seedServerRootRules(mappings: readonly NetmapEntry[]): Rule[] {
  return envoyNetmapRules(mappings);
}

export interface SeedServerFirewallOptions {
  /** The OpenVPN device the hook runs for: `tun0` (non-HA) or `tap0` (HA). */
  readonly device: string;
  /** `--seed-pod-network`, if given and a CIDR. */
  readonly seedPodNetwork?: Cidr | undefined;
}

/**
 * The reference's firewall hook rules (vpn2 cmd/vpn_server/app/firewall.go), plus FORWARD: server pods usually inherit ip_forward=1, and the
 * reference then maps a datagram the shoot sends to 241/8 into the seed pod network and forwards it.
 * Here the device admits only packets of connections the seed side opened, in both INPUT (replies to
 * the pod itself, e.g. envoy) and FORWARD (anything routed through the pod). A shoot-initiated packet is
 * NEW in conntrack, also after the PREROUTING NETMAP, and meets the DROP.
 */
export function seedServerFirewallRules(options: SeedServerFirewallOptions): Rule[] {
  const { device, seedPodNetwork } = options;
  return [
    ...IP_VERSIONS.flatMap((family) => repliesOnlyRules(family, 'INPUT', device)),
    ...IP_VERSIONS.flatMap((family) => repliesOnlyRules(family, 'FORWARD', device)),
    ...(device === 'tun0' && seedPodNetwork?.family === 'IPv4' ? seedPodNetmapRules(device, seedPodNetwork) : []),
  ];
}
