/** An address family as settings, plans and rendered files name it (`IP_FAMILIES=IPv4,IPv6`). */
export type IpFamily = 'IPv4' | 'IPv6';

/**
 * The same family as its IP version number: what the kernel interfaces are keyed by (AF_INET / AF_INET6 in
 * netlink messages, `iptables` / `ip6tables` for rules).
 */
export type IpVersion = 4 | 6;

export const IP_VERSIONS: readonly IpVersion[] = [4, 6];

export function ipVersionOf(family: IpFamily): IpVersion {
  return family === 'IPv4' ? 4 : 6;
}
