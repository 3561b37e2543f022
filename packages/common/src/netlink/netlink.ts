import { decodeAddressMessage, encodeAddressChange, encodeAddressDumpRequest } from './address-messages';
import {
  NLM_F_CREATE,
  NLM_F_REPLACE,
  RTM_DELADDR,
  RTM_DELNEIGH,
  RTM_DELROUTE,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  RT_TABLE_MAIN,
} from './constants';
import { LinkNotFoundError, NetlinkError } from './errors';
import type { IpVersion } from './ip-bytes';
import { decodeLinkMessage, encodeLinkDumpRequest, encodeLinkQuery, encodeLinkSetUp } from './link-messages';
import { encodeNeighbourDelete } from './neighbour-messages';
import {
  decodeRouteMessage,
  encodeRouteDelete,
  encodeRouteDumpRequest,
  encodeRouteReplace,
  type DecodedRoute,
  type ResolvedNextHop,
} from './route-messages';
import { RtnetlinkTransport, type ReplyMessage } from './transport';
import type { InterfaceAddress, Link, Route, RouteSpec } from './types';

export interface NetlinkOptions {
  /** How long one request may wait for the kernel's reply. */
  timeoutMs?: number;
}

/** errno names meaning "the thing to delete is already gone". */
const ALREADY_GONE = new Set(['ESRCH', 'ENOENT', 'EADDRNOTAVAIL']);

/**
 * Links, addresses, routes (main table) and neighbours of the network namespace the process runs in.
 * Devices are always named and resolved to their ifindex at the moment of each call: OpenVPN recreates a
 * tap (new ifindex) when its pushed address changes, so a cached index would point at a dead device.
 * One instance holds one netlink socket; a long-running controller keeps it and calls close() at the end.
 * Calls may overlap: their kernel requests queue on the socket, so overlapping calls complete in no
 * guaranteed order.
 */
export class Netlink {
  private constructor(private readonly transport: RtnetlinkTransport) {}

  static open(options: NetlinkOptions = {}): Netlink {
    return new Netlink(new RtnetlinkTransport(options.timeoutMs ?? 5000));
  }

  close(): void {
    this.transport.close();
  }

  async listLinks(): Promise<Link[]> {
    const replies = await this.transport.dump('list links', RTM_GETLINK, encodeLinkDumpRequest());
    return ofType(replies, RTM_NEWLINK).map(decodeLinkMessage);
  }

  /** The link named `name`, or undefined when there is none. */
  getLink(name: string): Promise<Link | undefined> {
    return this.queryLink(`get link ${name}`, { name });
  }

  getLinkByIndex(index: number): Promise<Link | undefined> {
    return this.queryLink(`get link #${index}`, { index });
  }

  setLinkUp(dev: string): Promise<void> {
    return this.setLinkState(dev, true);
  }

  setLinkDown(dev: string): Promise<void> {
    return this.setLinkState(dev, false);
  }

  /** Addresses of one device (throws LinkNotFoundError if it is missing) or of all, optionally of one family. */
  async listAddresses(filter: { dev?: string; family?: IpVersion } = {}): Promise<InterfaceAddress[]> {
    const linkIndex = filter.dev === undefined ? undefined : (await this.requireLink(filter.dev)).index;
    const replies = await this.transport.dump('list addresses', RTM_GETADDR, encodeAddressDumpRequest(filter.family));
    return ofType(replies, RTM_NEWADDR)
      .map(decodeAddressMessage)
      .filter((a): a is InterfaceAddress => a !== null)
      .filter((a) => linkIndex === undefined || a.linkIndex === linkIndex);
  }

  /**
   * Adds `address` (CIDR, e.g. `fd00::1/64`) to `dev`, or updates it if present (idempotent). `nodad` skips
   * IPv6 duplicate address detection, which otherwise keeps the address tentative for about two seconds.
   */
  async addAddress(spec: { dev: string; address: string; nodad?: boolean }): Promise<void> {
    const link = await this.requireLink(spec.dev);
    const body = encodeAddressChange(link.index, spec.address, { nodad: spec.nodad === true });
    const operation = `add address ${spec.address} to ${spec.dev}`;
    await this.transport.request(operation, RTM_NEWADDR, body, NLM_F_CREATE | NLM_F_REPLACE);
  }

  /** Deletes `address` (CIDR) from `dev`; resolves false if it was not there. */
  async deleteAddress(spec: { dev: string; address: string }): Promise<boolean> {
    const link = await this.requireLink(spec.dev);
    const body = encodeAddressChange(link.index, spec.address);
    return this.deleteUnlessGone(`delete address ${spec.address} from ${spec.dev}`, RTM_DELADDR, body);
  }

  /**
   * Routes of the main table, IPv4 before IPv6 when no family is given (the kernel's dump order), with
   * device names resolved. Parsed by our own decoder, which understands RTA_VIA and RTA_MULTIPATH.
   */
  async listRoutes(family?: IpVersion): Promise<Route[]> {
    const replies = await this.transport.dump('list routes', RTM_GETROUTE, encodeRouteDumpRequest(family));
    const names = new Map((await this.listLinks()).map((l) => [l.index, l.name]));
    const withName = <T extends { oif?: number; dev?: string }>(hop: T): T => {
      const dev = hop.oif === undefined ? undefined : names.get(hop.oif);
      return dev === undefined ? hop : { ...hop, dev };
    };
    return ofType(replies, RTM_NEWROUTE)
      .map(decodeRouteMessage)
      .filter((d): d is DecodedRoute => d !== null && d.table === RT_TABLE_MAIN)
      .map(({ route }) => {
        const named = withName(route);
        return named.nexthops ? { ...named, nexthops: named.nexthops.map(withName) } : named;
      });
  }

  /** Installs the route, replacing whatever route of the main table has the same destination and metric. */
  async replaceRoute(spec: RouteSpec): Promise<void> {
    const hops = 'nexthops' in spec ? spec.nexthops : [{ dev: spec.dev, via: spec.via }];
    const resolved: ResolvedNextHop[] = [];
    for (const hop of hops) {
      const link = await this.requireLink(hop.dev);
      resolved.push(hop.via === undefined ? { ifindex: link.index } : { ifindex: link.index, via: hop.via });
    }
    const body = encodeRouteReplace(spec.dst, resolved, 'nexthops' in spec ? undefined : spec.protocol);
    await this.transport.request(`replace route ${describeRoute(spec)}`, RTM_NEWROUTE, body, NLM_F_CREATE | NLM_F_REPLACE);
  }

  /**
   * Deletes the main-table route to `dst` (through `dev`, and installed with `protocol`, when given);
   * resolves false if there was none.
   */
  async deleteRoute(spec: { dst: string; dev?: string; protocol?: number }): Promise<boolean> {
    const ifindex = spec.dev === undefined ? undefined : (await this.getLink(spec.dev))?.index;
    if (spec.dev !== undefined && ifindex === undefined) return false;
    const what = `delete route ${spec.dst}${spec.dev === undefined ? '' : ` dev ${spec.dev}`}${spec.protocol === undefined ? '' : ` proto ${spec.protocol}`}`;
    return this.deleteUnlessGone(what, RTM_DELROUTE, encodeRouteDelete(spec.dst, ifindex, spec.protocol));
  }

  /**
   * Forgets the link-layer address of `address` on `dev`, so the next packet triggers a fresh neighbour
   * solicitation (multicast, flooded by a tap-mode server that lost its MAC table). False if there was none.
   */
  async deleteNeighbour(spec: { dev: string; address: string }): Promise<boolean> {
    const link = await this.getLink(spec.dev);
    if (!link) return false;
    const body = encodeNeighbourDelete(link.index, spec.address);
    return this.deleteUnlessGone(`delete neighbour ${spec.address} dev ${spec.dev}`, RTM_DELNEIGH, body);
  }

  private async queryLink(operation: string, link: { index: number } | { name: string }): Promise<Link | undefined> {
    try {
      const replies = await this.transport.request(operation, RTM_GETLINK, encodeLinkQuery(link));
      return ofType(replies, RTM_NEWLINK).map(decodeLinkMessage)[0];
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENODEV') return undefined;
      throw err;
    }
  }

  private async requireLink(name: string): Promise<Link> {
    const link = await this.getLink(name);
    if (!link) throw new LinkNotFoundError(name);
    return link;
  }

  private async setLinkState(dev: string, up: boolean): Promise<void> {
    try {
      await this.transport.request(`set link ${dev} ${up ? 'up' : 'down'}`, RTM_NEWLINK, encodeLinkSetUp(dev, up));
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENODEV') throw new LinkNotFoundError(dev);
      throw err;
    }
  }

  private async deleteUnlessGone(operation: string, type: number, body: Buffer): Promise<boolean> {
    try {
      await this.transport.request(operation, type, body);
      return true;
    } catch (err) {
      if (err instanceof NetlinkError && ALREADY_GONE.has(err.code)) return false;
      throw err;
    }
  }
}

function ofType(replies: ReplyMessage[], type: number): Buffer[] {
  return replies.filter((m) => m.type === type).map((m) => m.data);
}

/** A route as `ip route` would print it: log lines and error messages name routes this way. */
export function describeRoute(spec: RouteSpec): string {
  if ('nexthops' in spec) return `${spec.dst} ${spec.nexthops.map((h) => `nexthop via ${h.via} dev ${h.dev}`).join(' ')}`;
  return `${spec.dst}${spec.via === undefined ? '' : ` via ${spec.via}`} dev ${spec.dev}`;
}

/** Runs `fn` with a netlink socket that is closed afterwards, whatever `fn` does: for one-shot commands. */
export async function withNetlink<T>(fn: (netlink: Netlink) => Promise<T>, options: NetlinkOptions = {}): Promise<T> {
  const netlink = Netlink.open(options);
  try {
    return await fn(netlink);
  } finally {
    netlink.close();
  }
}
