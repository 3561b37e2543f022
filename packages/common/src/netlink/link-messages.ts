import { decodeAttributes, encodeAttribute, readString, readU32, stringPayload } from './attributes';
import { IFF_LOWER_UP, IFF_UP, IFINFOMSG_LENGTH, IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU } from './constants';
import { formatMac } from './ip-bytes';
import type { Link } from './types';

interface IfInfoMsg {
  index: number;
  flags: number;
  change: number;
}

function encodeIfInfoMsg(m: IfInfoMsg): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LENGTH);
  b.writeInt32LE(m.index, 4);
  b.writeUInt32LE(m.flags, 8);
  b.writeUInt32LE(m.change, 12);
  return b;
}

export function encodeLinkDumpRequest(): Buffer {
  return encodeIfInfoMsg({ index: 0, flags: 0, change: 0 });
}

/** RTM_GETLINK body for one link, by index or (index 0) by name. */
export function encodeLinkQuery(link: { index: number } | { name: string }): Buffer {
  if ('index' in link) return encodeIfInfoMsg({ index: link.index, flags: 0, change: 0 });
  const byName = encodeIfInfoMsg({ index: 0, flags: 0, change: 0 });
  return Buffer.concat([byName, encodeAttribute(IFLA_IFNAME, stringPayload(link.name))]);
}

/** RTM_NEWLINK body that changes only IFF_UP of the link named `name`. */
export function encodeLinkSetUp(name: string, up: boolean): Buffer {
  return Buffer.concat([
    encodeIfInfoMsg({ index: 0, flags: up ? IFF_UP : 0, change: IFF_UP }),
    encodeAttribute(IFLA_IFNAME, stringPayload(name)),
  ]);
}

export function decodeLinkMessage(data: Buffer): Link {
  if (data.length < IFINFOMSG_LENGTH) throw new Error(`link message of ${data.length} bytes`);
  const flags = data.readUInt32LE(8);
  const attrs = decodeAttributes(data.subarray(IFINFOMSG_LENGTH));
  const mac = attrs.get(IFLA_ADDRESS);
  return {
    index: data.readInt32LE(4),
    name: readString(attrs, IFLA_IFNAME) ?? '',
    up: (flags & IFF_UP) !== 0,
    carrier: (flags & IFF_LOWER_UP) !== 0,
    mtu: readU32(attrs, IFLA_MTU) ?? 0,
    mac: mac && mac.length > 0 ? formatMac(mac) : null,
  };
}
