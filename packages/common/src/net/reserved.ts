import { Cidr } from './cidr';

/**
 * Gardener's reserved NETMAP ranges. All lie in class E (240.0.0.0/4), so they never collide with real
 * seed or shoot networks. 240.0.0.0/8 (apiserver-proxy) is not ours to use.
 */
export const RESERVED_RANGES = {
  seedPods: Cidr.parse('241.0.0.0/8'),
  shootNodes: Cidr.parse('242.0.0.0/8'),
  shootServices: Cidr.parse('243.0.0.0/8'),
  shootPods: Cidr.parse('244.0.0.0/8'),
} as const;

/** The VPN_NETWORK default (Gardener `DefaultVPNRangeV6`). */
export const DEFAULT_VPN_NETWORK = Cidr.parse('fd8f:6d53:b97a:1::/96');
