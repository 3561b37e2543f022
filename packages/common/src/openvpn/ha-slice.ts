import * as ipaddr from 'ipaddr.js';

/**
 * Fixed addresses inside an HA server's /112 slice `…::10s:0/112` of VPN_NETWORK (DESIGN.md §3): the
 * host part (bytes 14..15) is 1 for the server, 2 for its nominal peer, 0x1000 upward for the seed
 * clients' pool and 0x0b00 + k for shoot client k, so the pool never reaches a shoot client's address.
 */
export interface HaSlice {
  serverAddress: string;
  peerAddress: string;
  poolStart: string;
  shootClientAddress(k: number): string;
}

export const HA_SLICE_PREFIX = 112;
const MAX_SHOOT_CLIENTS = 256;

export function haSlice(sliceCidr: string): HaSlice {
  const [base, prefix] = ipaddr.parseCIDR(sliceCidr);
  if (base.kind() !== 'ipv6' || prefix !== HA_SLICE_PREFIX) {
    throw new Error(`HA server network must be an IPv6 /${HA_SLICE_PREFIX}, got ${sliceCidr}`);
  }
  const host = (hostPart: number): string => {
    const bytes = base.toByteArray();
    bytes[14] = hostPart >> 8;
    bytes[15] = hostPart & 0xff;
    return ipaddr.fromByteArray(bytes).toString();
  };
  return {
    serverAddress: host(1),
    peerAddress: host(2),
    poolStart: host(0x1000),
    shootClientAddress: (k) => {
      if (!Number.isInteger(k) || k < 0 || k >= MAX_SHOOT_CLIENTS) {
        throw new Error(`HA shoot client index must be 0..${MAX_SHOOT_CLIENTS - 1}, got ${k}`);
      }
      return host(0x0b00 + k);
    },
  };
}
