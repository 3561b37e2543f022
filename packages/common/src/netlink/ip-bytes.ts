import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';
import type { IpVersion } from '../net/family';
import { AF_INET, AF_INET6 } from './constants';

export type { IpVersion };

export function addressFamilyNumber(family: IpVersion): number {
  return family === 4 ? AF_INET : AF_INET6;
}

export function ipFamilyOf(addressFamily: number): IpVersion | undefined {
  if (addressFamily === AF_INET) return 4;
  if (addressFamily === AF_INET6) return 6;
  return undefined;
}

export const addressLength = (family: IpVersion): number => (family === 4 ? 4 : 16);

export interface AddressBytes {
  family: IpVersion;
  bytes: Buffer;
}

/** Accepts only plain dotted-quad IPv4 and IPv6 text (node's rules, not ipaddr.js's lenient ones). */
export function addressBytes(address: string): AddressBytes {
  const family = isIP(address);
  if (family !== 4 && family !== 6) throw new Error(`invalid IP address "${address}"`);
  return { family, bytes: Buffer.from(ipaddr.parse(address).toByteArray()) };
}

export function formatAddress(family: IpVersion, bytes: Buffer): string {
  if (bytes.length !== addressLength(family)) {
    throw new Error(`IPv${family} address needs ${addressLength(family)} bytes, got ${bytes.length}`);
  }
  return ipaddr.fromByteArray([...bytes]).toString();
}

export interface Prefix extends AddressBytes {
  prefixLength: number;
}

export function parsePrefix(cidr: string): Prefix {
  const slash = cidr.indexOf('/');
  if (slash < 0) throw new Error(`invalid CIDR "${cidr}": missing /prefix-length`);
  const parsed = addressBytes(cidr.slice(0, slash));
  const lengthText = cidr.slice(slash + 1);
  const prefixLength = Number(lengthText);
  if (!/^\d{1,3}$/.test(lengthText) || prefixLength > parsed.bytes.length * 8) {
    throw new Error(`invalid CIDR "${cidr}": bad prefix length`);
  }
  return { ...parsed, prefixLength };
}

export function hasHostBits(bytes: Buffer, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    if (bytes[bit >> 3] & (0x80 >> (bit & 7))) return true;
  }
  return false;
}

export function formatPrefix(family: IpVersion, bytes: Buffer, prefixLength: number): string {
  return `${formatAddress(family, bytes)}/${prefixLength}`;
}

export function formatMac(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
