import { Cidr } from '../net/cidr';
import { HA_SERVER_SLICE_PREFIX, haSliceAddresses } from '../net/ha-address-plan';
import { joinOptionLines } from './option-lines';
import type { ServerConfigValues } from './values';

/** CN of the non-HA shoot client; its ccd file is written in HA too (unused there), as the reference does. */
export const SHOOT_CLIENT_CCD_NAME = 'vpn-shoot-client';

/** CN of HA shoot client k (pod `vpn-shoot-<k>`). */
export function haShootClientCcdName(k: number): string {
  return `${SHOOT_CLIENT_CCD_NAME}-${k}`;
}

/**
 * The ccd file of CN `vpn-shoot-client`: `iroute <net> <dotted mask>` for every IPv4 shoot network, then
 * `iroute-ipv6 <cidr>` for every IPv6 one, each in the given order. Byte layout as the reference: a
 * leading and a trailing newline, so with no networks the file is a single `\n`.
 */
export function renderShootClientCcd(v: ServerConfigValues): string {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const cidr of v.shootNetworks) {
    const network = Cidr.parse(cidr);
    if (network.family === 'IPv4') {
      v4.push(`iroute ${network.network.toString()} ${network.dottedNetmask()}`);
    } else {
      v6.push(`iroute-ipv6 ${cidr}`);
    }
  }
  return joinOptionLines(`ccd ${SHOOT_CLIENT_CCD_NAME}`, ['', ...v4, ...v6, '']);
}

/**
 * The ccd file of HA shoot client k: its fixed address `…::10s:b0k/112` on this server's tap, with the
 * server as IPv6 gateway. One line ending in a newline.
 */
export function renderHaShootClientCcd(v: ServerConfigValues, k: number): string {
  if (!v.isHA) throw new Error('HA shoot client ccd files exist only on HA servers');
  if (!Number.isInteger(k) || k < 0 || k >= v.haVpnClients) {
    throw new Error(`HA shoot client index must be 0..${v.haVpnClients - 1}, got ${k}`);
  }
  const slice = haSliceAddresses(Cidr.parse(v.openvpnNetwork));
  return joinOptionLines(`ccd ${haShootClientCcdName(k)}`, [
    `ifconfig-ipv6-push ${slice.shootClient(k).toString()}/${HA_SERVER_SLICE_PREFIX} ${slice.server.toString()}`,
    '',
  ]);
}
