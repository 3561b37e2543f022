import { decodeAttributes, encodeAttribute, readU32, u32Payload } from './attributes';
import { AF_UNSPEC, IFADDRMSG_LENGTH, IFA_ADDRESS, IFA_FLAGS, IFA_LOCAL } from './constants';
import { addressFamilyNumber, formatAddress, ipFamilyOf, parsePrefix, type IpVersion } from './ip-bytes';
import { scopeName } from './scope';
import type { AddressFlag, InterfaceAddress } from './types';

/** IFA_F_* bits in order (bit 0 = secondary). */
const FLAG_BITS: readonly AddressFlag[] = [
  'secondary',
  'nodad',
  'optimistic',
  'dadfailed',
  'homeaddress',
  'deprecated',
  'tentative',
  'permanent',
  'managetempaddr',
  'noprefixroute',
  'mcautojoin',
  'stable-privacy',
];

const IFA_F_NODAD = 1 << FLAG_BITS.indexOf('nodad');

function encodeIfAddrMsg(family: number, prefixLength: number, flags: number, index: number): Buffer {
  const b = Buffer.alloc(IFADDRMSG_LENGTH);
  b.writeUInt8(family, 0);
  b.writeUInt8(prefixLength, 1);
  b.writeUInt8(flags & 0xff, 2);
  b.writeUInt32LE(index, 4);
  return b;
}

export function encodeAddressDumpRequest(family?: IpVersion): Buffer {
  return encodeIfAddrMsg(family === undefined ? AF_UNSPEC : addressFamilyNumber(family), 0, 0, 0);
}

/**
 * RTM_NEWADDR / RTM_DELADDR body for `cidr` (address/prefix length) on link `index`. Like iproute2 it sends
 * the address as both IFA_LOCAL and IFA_ADDRESS (no peer); flags go in IFA_FLAGS, which the u8 field cannot hold.
 */
export function encodeAddressChange(index: number, cidr: string, options: { nodad?: boolean } = {}): Buffer {
  const prefix = parsePrefix(cidr);
  const flags = options.nodad ? IFA_F_NODAD : 0;
  const attrs = [encodeAttribute(IFA_LOCAL, prefix.bytes), encodeAttribute(IFA_ADDRESS, prefix.bytes)];
  if (flags !== 0) attrs.push(encodeAttribute(IFA_FLAGS, u32Payload(flags)));
  return Buffer.concat([encodeIfAddrMsg(addressFamilyNumber(prefix.family), prefix.prefixLength, flags, index), ...attrs]);
}

function flagNames(bits: number): AddressFlag[] {
  return FLAG_BITS.filter((_, bit) => (bits & (1 << bit)) !== 0);
}

/** Null for families other than IPv4/IPv6. IFA_LOCAL is the own address where a peer is set (IPv4 ptp). */
export function decodeAddressMessage(data: Buffer): InterfaceAddress | null {
  if (data.length < IFADDRMSG_LENGTH) throw new Error(`address message of ${data.length} bytes`);
  const family = ipFamilyOf(data.readUInt8(0));
  if (family === undefined) return null;
  const attrs = decodeAttributes(data.subarray(IFADDRMSG_LENGTH));
  const bytes = attrs.get(IFA_LOCAL) ?? attrs.get(IFA_ADDRESS);
  if (!bytes) throw new Error('address message without IFA_LOCAL or IFA_ADDRESS');
  return {
    linkIndex: data.readUInt32LE(4),
    family,
    address: formatAddress(family, bytes),
    prefixLength: data.readUInt8(1),
    scope: scopeName(data.readUInt8(3)),
    flags: flagNames(readU32(attrs, IFA_FLAGS) ?? data.readUInt8(2)),
  };
}
