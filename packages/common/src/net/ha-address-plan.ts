import { Cidr } from './cidr';
import { Ip } from './ip';

/**
 * Our HA address plan inside VPN_NETWORK (an IPv6 /96), DESIGN.md §3. Server s owns the slice
 * VPN_NETWORK + 01:0s:00:00/112 (`…::10s:0/112`). Inside it: the server `…::10s:1`, its nominal
 * `ifconfig-ipv6` peer `…::10s:2`, shoot client k fixed at `…::10s:b0k`, and the seed clients' pool from
 * `…::10s:1000`, far enough above the shoot clients that the pool never hands out their addresses.
 * Server and shoot client indexes are one byte each.
 */

export const VPN_NETWORK_PREFIX = 96;
export const HA_SERVER_SLICE_PREFIX = 112;
const MAX_BYTE = 0xff;

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

export function haServerAddress(vpnNetwork: Cidr, serverIndex: number): Ip {
  return hostInSlice(vpnNetwork, serverIndex, SERVER_HOST);
}

/** The remote end OpenVPN's `ifconfig-ipv6` requires; no one holds it. */
export function haServerPeerAddress(vpnNetwork: Cidr, serverIndex: number): Ip {
  return hostInSlice(vpnNetwork, serverIndex, SERVER_PEER_HOST);
}

export function haShootClientAddress(vpnNetwork: Cidr, serverIndex: number, clientIndex: number): Ip {
  requireByte('shoot client index', clientIndex);
  return hostInSlice(vpnNetwork, serverIndex, SHOOT_CLIENT_HOST_BASE + BigInt(clientIndex));
}

/** First address of `ifconfig-ipv6-pool …::10s:1000/112`. */
export function haPoolStart(vpnNetwork: Cidr, serverIndex: number): Ip {
  return hostInSlice(vpnNetwork, serverIndex, POOL_START_HOST);
}

function hostInSlice(vpnNetwork: Cidr, serverIndex: number, host: bigint): Ip {
  return Ip.fromValue('IPv6', haServerSlice(vpnNetwork, serverIndex).network.value | host);
}

function requireByte(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_BYTE) {
    throw new RangeError(`${what} must be 0..${MAX_BYTE}, got ${value}`);
  }
}
