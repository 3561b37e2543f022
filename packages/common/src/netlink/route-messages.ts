import { align4, decodeAttributes, encodeAttribute, readU32, u32Payload, type Attributes } from './attributes';
import {
  AF_UNSPEC,
  RTA_DST,
  RTA_GATEWAY,
  RTA_MULTIPATH,
  RTA_OIF,
  RTA_PRIORITY,
  RTA_TABLE,
  RTA_VIA,
  RTMSG_LENGTH,
  RTNEXTHOP_LENGTH,
  RTN_UNICAST,
  RTN_UNSPEC,
  RTPROT_BOOT,
  RTPROT_UNSPEC,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
} from './constants';
import {
  addressBytes,
  addressFamilyNumber,
  addressLength,
  formatAddress,
  formatPrefix,
  hasHostBits,
  ipFamilyOf,
  parsePrefix,
  type AddressBytes,
  type IpVersion,
  type Prefix,
} from './ip-bytes';
import { scopeName } from './scope';
import type { NextHop, Route, RouteKind, RouteProtocol, Via } from './types';

/** A next hop with its device already resolved to the ifindex it has right now. */
export interface ResolvedNextHop {
  ifindex: number;
  via?: string;
}

interface RtMsg {
  family: number;
  dstLength: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
}

function encodeRtMsg(m: RtMsg): Buffer {
  const b = Buffer.alloc(RTMSG_LENGTH);
  b.writeUInt8(m.family, 0);
  b.writeUInt8(m.dstLength, 1);
  b.writeUInt8(m.table, 4);
  b.writeUInt8(m.protocol, 5);
  b.writeUInt8(m.scope, 6);
  b.writeUInt8(m.type, 7);
  return b;
}

/** RTA_VIA payload (struct rtvia): u16 address family, then the address bytes. */
export function encodeViaPayload(via: AddressBytes): Buffer {
  const family = Buffer.alloc(2);
  family.writeUInt16LE(addressFamilyNumber(via.family), 0);
  return Buffer.concat([family, via.bytes]);
}

function routeDestination(dst: string): Prefix {
  const prefix = parsePrefix(dst);
  if (hasHostBits(prefix.bytes, prefix.prefixLength)) {
    throw new Error(`route destination ${dst} has host bits set`);
  }
  return prefix;
}

/**
 * The kernel takes a next hop of the route's own family as RTA_GATEWAY, and an IPv6 next hop of an IPv4
 * route as RTA_VIA; IPv6 routes accept no RTA_VIA at all.
 */
function nextHopAttribute(routeFamily: IpVersion, via: string, dst: string): Buffer {
  const hop = addressBytes(via);
  if (hop.family === routeFamily) return encodeAttribute(RTA_GATEWAY, hop.bytes);
  if (routeFamily === 6) throw new Error(`route ${dst}: an IPv6 route cannot have the IPv4 next hop ${via}`);
  return encodeAttribute(RTA_VIA, encodeViaPayload(hop));
}

function encodeRtNextHop(routeFamily: IpVersion, hop: ResolvedNextHop, dst: string): Buffer {
  const attrs = hop.via === undefined ? Buffer.alloc(0) : nextHopAttribute(routeFamily, hop.via, dst);
  const head = Buffer.alloc(RTNEXTHOP_LENGTH);
  head.writeUInt16LE(RTNEXTHOP_LENGTH + attrs.length, 0);
  head.writeInt32LE(hop.ifindex, 4);
  return Buffer.concat([head, attrs]);
}

/**
 * Body of an RTM_NEWROUTE for the main table, as `ip route replace` builds it: protocol boot unless the
 * caller marks its routes with its own, scope link for an IPv4 route straight onto a device, universe
 * otherwise. One next hop gives a plain route, more an RTA_MULTIPATH route.
 */
export function encodeRouteReplace(dst: string, nexthops: readonly ResolvedNextHop[], protocol = RTPROT_BOOT): Buffer {
  if (nexthops.length === 0) throw new Error(`route ${dst}: no next hop given`);
  const prefix = routeDestination(dst);
  const single = nexthops.length === 1 ? nexthops[0] : undefined;
  const ipv4OntoDevice = prefix.family === 4 && single !== undefined && single.via === undefined;
  const header = encodeRtMsg({
    family: addressFamilyNumber(prefix.family),
    dstLength: prefix.prefixLength,
    table: RT_TABLE_MAIN,
    protocol,
    scope: ipv4OntoDevice ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
    type: RTN_UNICAST,
  });
  const attrs = [encodeAttribute(RTA_DST, prefix.bytes)];
  if (single) {
    attrs.push(encodeAttribute(RTA_OIF, u32Payload(single.ifindex)));
    if (single.via !== undefined) attrs.push(nextHopAttribute(prefix.family, single.via, dst));
  } else {
    const hops = nexthops.map((hop) => encodeRtNextHop(prefix.family, hop, dst));
    attrs.push(encodeAttribute(RTA_MULTIPATH, Buffer.concat(hops)));
  }
  return Buffer.concat([header, ...attrs]);
}

/**
 * Body of an RTM_DELROUTE matching a route of the main table to `dst`: on `ifindex` when given, and only
 * one installed with `protocol` when given (the kernel treats 0 as any).
 */
export function encodeRouteDelete(dst: string, ifindex?: number, protocol = RTPROT_UNSPEC): Buffer {
  const prefix = routeDestination(dst);
  const header = encodeRtMsg({
    family: addressFamilyNumber(prefix.family),
    dstLength: prefix.prefixLength,
    table: RT_TABLE_MAIN,
    protocol,
    scope: RT_SCOPE_NOWHERE,
    type: RTN_UNSPEC,
  });
  const attrs = [encodeAttribute(RTA_DST, prefix.bytes)];
  if (ifindex !== undefined) attrs.push(encodeAttribute(RTA_OIF, u32Payload(ifindex)));
  return Buffer.concat([header, ...attrs]);
}

export function encodeRouteDumpRequest(family?: IpVersion): Buffer {
  return encodeRtMsg({
    family: family === undefined ? AF_UNSPEC : addressFamilyNumber(family),
    dstLength: 0,
    table: 0,
    protocol: 0,
    scope: 0,
    type: 0,
  });
}

const PROTOCOL_NAMES: ReadonlyMap<number, RouteProtocol> = new Map<number, RouteProtocol>([
  [0, 'unspec'],
  [1, 'redirect'],
  [2, 'kernel'],
  [3, 'boot'],
  [4, 'static'],
  [9, 'ra'],
  [16, 'dhcp'],
]);

const KIND_NAMES: ReadonlyMap<number, RouteKind> = new Map<number, RouteKind>([
  [1, 'unicast'],
  [2, 'local'],
  [3, 'broadcast'],
  [4, 'anycast'],
  [5, 'multicast'],
  [6, 'blackhole'],
  [7, 'unreachable'],
  [8, 'prohibit'],
  [9, 'throw'],
  [10, 'nat'],
]);

/** Null when the RTA_VIA names a family other than IPv4/IPv6 (MPLS), which we never install. */
function decodeVia(payload: Buffer): Via | null {
  if (payload.length < 2) throw new Error(`RTA_VIA of ${payload.length} bytes`);
  const family = ipFamilyOf(payload.readUInt16LE(0));
  if (family === undefined) return null;
  const bytes = payload.subarray(2);
  if (bytes.length !== addressLength(family)) {
    throw new Error(`RTA_VIA for IPv${family} carries ${bytes.length} address bytes`);
  }
  return { family, address: formatAddress(family, bytes) };
}

interface HopFields {
  gateway?: string;
  via?: Via;
}

function decodeHopFields(family: IpVersion, attrs: Attributes): HopFields | null {
  const fields: HopFields = {};
  const gateway = attrs.get(RTA_GATEWAY);
  if (gateway) fields.gateway = formatAddress(family, gateway);
  const viaPayload = attrs.get(RTA_VIA);
  if (viaPayload) {
    const via = decodeVia(viaPayload);
    if (!via) return null;
    fields.via = via;
  }
  return fields;
}

function decodeMultipath(family: IpVersion, payload: Buffer): NextHop[] | null {
  const hops: NextHop[] = [];
  let offset = 0;
  while (offset + RTNEXTHOP_LENGTH <= payload.length) {
    const length = payload.readUInt16LE(offset);
    if (length < RTNEXTHOP_LENGTH || offset + length > payload.length) {
      throw new Error(`malformed RTA_MULTIPATH next hop at offset ${offset}: length ${length}`);
    }
    const fields = decodeHopFields(family, decodeAttributes(payload.subarray(offset + RTNEXTHOP_LENGTH, offset + length)));
    if (!fields) return null;
    hops.push({ oif: payload.readInt32LE(offset + 4), ...fields, weight: payload.readUInt8(offset + 3) + 1 });
    offset += align4(length);
  }
  return hops;
}

export interface DecodedRoute {
  table: number;
  route: Route;
}

/**
 * Parses one RTM_NEWROUTE body. Returns null for routes outside IPv4/IPv6 (multicast routing families,
 * MPLS next hops): listing them is none of our business, and failing on them would break every listing.
 */
export function decodeRouteMessage(data: Buffer): DecodedRoute | null {
  if (data.length < RTMSG_LENGTH) throw new Error(`route message of ${data.length} bytes`);
  const family = ipFamilyOf(data.readUInt8(0));
  if (family === undefined) return null;
  const dstLength = data.readUInt8(1);
  const attrs = decodeAttributes(data.subarray(RTMSG_LENGTH));
  const dstBytes = attrs.get(RTA_DST) ?? Buffer.alloc(addressLength(family));
  const fields = decodeHopFields(family, attrs);
  if (!fields) return null;
  const route: Route = {
    family,
    dst: formatPrefix(family, dstBytes, dstLength),
    kind: KIND_NAMES.get(data.readUInt8(7)) ?? data.readUInt8(7),
    protocol: PROTOCOL_NAMES.get(data.readUInt8(5)) ?? data.readUInt8(5),
    scope: scopeName(data.readUInt8(6)),
    metric: readU32(attrs, RTA_PRIORITY) ?? 0,
    ...fields,
  };
  const oif = readU32(attrs, RTA_OIF);
  if (oif !== undefined) route.oif = oif;
  const multipath = attrs.get(RTA_MULTIPATH);
  if (multipath) {
    const nexthops = decodeMultipath(family, multipath);
    if (!nexthops) return null;
    route.nexthops = nexthops;
  }
  return { table: readU32(attrs, RTA_TABLE) ?? data.readUInt8(4), route };
}
