import type { IpVersion } from './ip-bytes';

export type { IpVersion } from './ip-bytes';

export interface Link {
  index: number;
  name: string;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** The lower layer reports a carrier (IFF_LOWER_UP); a tap whose OpenVPN died loses it. */
  carrier: boolean;
  mtu: number;
  /** Hardware address as `aa:bb:cc:dd:ee:ff`; null for layer-3 devices such as tun. */
  mac: string | null;
}

/** iproute2's names; numbers the kernel may report beyond them stay numbers. */
export type Scope = 'global' | 'site' | 'link' | 'host' | 'nowhere' | number;

export type AddressFlag =
  | 'secondary'
  | 'nodad'
  | 'optimistic'
  | 'dadfailed'
  | 'homeaddress'
  | 'deprecated'
  | 'tentative'
  | 'permanent'
  | 'managetempaddr'
  | 'noprefixroute'
  | 'mcautojoin'
  | 'stable-privacy';

export interface InterfaceAddress {
  linkIndex: number;
  family: IpVersion;
  address: string;
  prefixLength: number;
  scope: Scope;
  flags: AddressFlag[];
}

/** RTA_VIA: a next hop of another family than the route, e.g. an IPv4 route via an IPv6 neighbour (RFC 5549). */
export interface Via {
  family: IpVersion;
  address: string;
}

export interface NextHop {
  oif: number;
  /** Name of `oif`, when the device still existed while the routes were listed. */
  dev?: string;
  /** RTA_GATEWAY: next hop of the route's own family. */
  gateway?: string;
  via?: Via;
  weight: number;
}

export type RouteProtocol = 'unspec' | 'redirect' | 'kernel' | 'boot' | 'static' | 'ra' | 'dhcp' | number;

export type RouteKind =
  'unicast' | 'local' | 'broadcast' | 'anycast' | 'multicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'nat' | number;

/** A route of the main table. A multipath route has `nexthops` and no top-level oif/gateway/via. */
export interface Route {
  family: IpVersion;
  /** Destination as CIDR; the default route is `0.0.0.0/0` or `::/0`. */
  dst: string;
  kind: RouteKind;
  protocol: RouteProtocol;
  scope: Scope;
  /** RTA_PRIORITY; 0 when the kernel reports none (IPv4 default). */
  metric: number;
  oif?: number;
  dev?: string;
  gateway?: string;
  via?: Via;
  nexthops?: NextHop[];
}

/** A route through one device, optionally via a next hop (of the route's family, or IPv6 for an IPv4 route). */
export interface DeviceRouteSpec {
  dst: string;
  dev: string;
  via?: string;
  /**
   * The rtm_protocol number the route carries (default 3, boot, as `ip route` sets): a program that marks its
   * routes with a number of its own can later find exactly them among routes others put on the same device.
   */
  protocol?: number;
}

/** An equal-cost multipath route, e.g. over every healthy HA path. */
export interface MultipathRouteSpec {
  dst: string;
  nexthops: readonly { dev: string; via: string }[];
}

export type RouteSpec = DeviceRouteSpec | MultipathRouteSpec;

/** The address a next hop forwards to, whether the kernel reports it as gateway or as via. */
export function nextHopAddress(hop: { gateway?: string; via?: Via }): string | undefined {
  return hop.gateway ?? hop.via?.address;
}
