import { Cidr } from './cidr';
import { Ip } from './ip';

/**
 * Our HA address plan inside VPN_NETWORK (an IPv6 /96), docs/ha.md "Address plan". Server s owns the slice
 * VPN_NETWORK + 01:0s:00:00/112 (`…::10s:0/112`). Inside it: the server `…::10s:1`, its nominal
 * `ifconfig-ipv6` peer `…::10s:2`, shoot client k fixed at `…::10s:b0k`, and the seed clients' pool from
 * `…::10s:1000`, far enough above the shoot clients that the pool never hands out their addresses.
 * Server and shoot client indexes are one byte each.
 */

export const VPN_NETWORK_PREFIX = 96;
export const HA_SERVER_SLICE_PREFIX = 112;
const MAX_BYTE = 0xff;
/** Shoot clients k = 0..255: HA_VPN_CLIENTS above this has no addresses. */
export const MAX_HA_SHOOT_CLIENTS = MAX_BYTE + 1;

const SERVER_HOST = 0x1n;
const SERVER_PEER_HOST = 0x2n;
const SHOOT_CLIENT_HOST_BASE = 0xb00n;
const POOL_START_HOST = 0x1000n;

export function haServerSlice(vpnNetwork: Cidr, serverIndex: number): Cidr {
  if (vpnNetwork.family !== 'IPv6' || vpnNetwork.prefixLength !== VPN_NETWORK_PREFIX) {
    throw new Error(`VPN network must be an IPv6 /${VPN_NETWORK_PREFIX}, got ${vpnNetwork.toString()}`);
  }
  requireByte('server index', serverIndex);
  const sliceOffset = (0x01n << 24n) | (BigInt(serverIndex) << 16n);
  return Cidr.of(Ip.fromValue('IPv6', vpnNetwork.network.value | sliceOffset), HA_SERVER_SLICE_PREFIX);
}

/** The fixed addresses inside one server's slice, for callers that hold the slice itself (the renderers). */
export interface HaSliceAddresses {
  server: Ip;
  /** The remote end OpenVPN's `ifconfig-ipv6` requires; no one holds it. */
  serverPeer: Ip;
  /** First address of `ifconfig-ipv6-pool …::10s:1000/112`. */
  poolStart: Ip;
  shootClient(clientIndex: number): Ip;
}

export function haSliceAddresses(slice: Cidr): HaSliceAddresses {
  if (slice.family !== 'IPv6' || slice.prefixLength !== HA_SERVER_SLICE_PREFIX) {
    throw new Error(`HA server network must be an IPv6 /${HA_SERVER_SLICE_PREFIX}, got ${slice.toString()}`);
  }
  const host = (h: bigint): Ip => Ip.fromValue('IPv6', slice.network.value | h);
  return {
    server: host(SERVER_HOST),
    serverPeer: host(SERVER_PEER_HOST),
    poolStart: host(POOL_START_HOST),
    shootClient: (clientIndex) => {
      requireByte('shoot client index', clientIndex);
      return host(SHOOT_CLIENT_HOST_BASE + BigInt(clientIndex));
    },
  };
}

export function haServerAddress(vpnNetwork: Cidr, serverIndex: number): Ip {
  return haSliceAddresses(haServerSlice(vpnNetwork, serverIndex)).server;
}

export function haServerPeerAddress(vpnNetwork: Cidr, serverIndex: number): Ip {
  return haSliceAddresses(haServerSlice(vpnNetwork, serverIndex)).serverPeer;
}

export function haShootClientAddress(vpnNetwork: Cidr, serverIndex: number, clientIndex: number): Ip {
  return haSliceAddresses(haServerSlice(vpnNetwork, serverIndex)).shootClient(clientIndex);
}

export function haPoolStart(vpnNetwork: Cidr, serverIndex: number): Ip {
  return haSliceAddresses(haServerSlice(vpnNetwork, serverIndex)).poolStart;
}

function requireByte(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_BYTE) {
    throw new RangeError(`${what} must be 0..${MAX_BYTE}, got ${value}`);
  }
}
