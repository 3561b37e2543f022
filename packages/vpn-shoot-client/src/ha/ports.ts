import type { RouteSpec, TcpConnectionId, TcpProgress } from '@vpn/common';

/**
 * What the controllers need from the outside world, as small interfaces: the runtime adapters (netlink,
 * dgram, OpenVPN management, HTTP, prom-client) implement them, tests use fakes.
 */
import type { PathId } from './path';
import type { PathRole } from './wire';

export interface LinkInfo {
  name: string;
  index: number;
}

/**
 * The controllers route through one tap via the peer's IPv6 address (also for IPv4 destinations), or, in
 * balance-rr, over every healthy path as one multipath route.
 */
export type { RouteSpec };

/** A main-table route as the kernel lists it (the fields route drift checks compare). */
export interface KernelRoute {
  dst: string;
  dev?: string;
  gateway?: string;
  via?: { address: string };
  nexthops?: readonly { dev?: string; gateway?: string; via?: { address: string } }[];
}

/** The kernel's links, main-table routes and neighbours; devices are named, never cached by index. */
export interface NetworkPort {
  listLinks(): Promise<LinkInfo[]>;
  listRoutes(): Promise<readonly KernelRoute[]>;
  replaceRoute(spec: RouteSpec): Promise<void>;
  /** Resolves false when there was no such route. */
  deleteRoute(spec: { dst: string }): Promise<boolean>;
  /** Resolves false when there was no such entry (or no such device). */
  deleteNeighbour(spec: { dev: string; address: string }): Promise<boolean>;
}

export interface Datagram {
  data: Buffer;
  address: string;
  port: number;
}

export interface UdpSocket {
  /** The local port actually bound. */
  readonly port: number;
  /** Rejects when the kernel refuses the datagram (e.g. no route while a tap is gone). */
  send(data: Buffer, port: number, address: string): Promise<void>;
  close(): Promise<void>;
}

export interface UdpBindOptions {
  /** IPv6 address to bind, `::` for all. */
  address: string;
  /** 0 picks a free port. */
  port: number;
  /** A function property, not a method: the socket keeps it and calls it apart from these options. */
  onDatagram: (datagram: Datagram) => void;
}

export type UdpBind = (options: UdpBindOptions) => Promise<UdpSocket>;

/** Restarts the OpenVPN client of one HA server (the tunnel through `tap<server>`). */
export type ServerRestarter = (server: number) => Promise<void>;

export interface Readiness {
  ready: boolean;
  /** `ok`, or why not. */
  reason: string;
}

/** A controller started by `run…Controller`; stop() ends its timers and closes its socket. */
export interface ControllerHandle {
  stop(): Promise<void>;
}

/**
 * Why the path controller changed its active path(s): the first choice of this instance, an active path that
 * died, or (balance-rr) a path that recovered and joins the healthy ones.
 */
export const ACTIVE_PATH_SWITCH_REASONS = ['initial', 'active_path_dead', 'path_recovered'] as const;
export type ActivePathSwitchReason = (typeof ACTIVE_PATH_SWITCH_REASONS)[number];

/** What the path controller reports for metrics (path-metrics.ts); a fake in tests. */
export interface PathObserver {
  /** Once per probe round and path, the path's current role. */
  pathRole(path: PathId, role: PathRole): void;
  /** A probe went out; one with role `active` or `standby` is also an announcement. */
  probeSent(path: PathId, role: PathRole): void;
  probesLost(path: PathId, count: number): void;
  /** The round trip of an echo that matched an outstanding or late probe. */
  roundTrip(path: PathId, ms: number): void;
  activePathSwitched(reason: ActivePathSwitchReason): void;
}

/** Why the tunnel controller did not follow a datagram from a seed client's address. */
export const ANNOUNCEMENT_REFUSALS = [
  'rate_limited',
  'malformed',
  'invalid_pod_ip',
  'stale_epoch',
  'foreign_instance',
  'table_full',
] as const;
export type AnnouncementRefusal = (typeof ANNOUNCEMENT_REFUSALS)[number];

/** What the tunnel controller reports for metrics (tunnel-metrics.ts); a fake in tests. */
export interface TunnelObserver {
  /** An announcement through `tap<server>` was taken into the return route table. */
  announcementAccepted(server: number): void;
  announcementRefused(reason: AnnouncementRefusal): void;
  /** The number of seed pods with a return route, after each change of the table. */
  returnRoutes(count: number): void;
  watchdogRestart(server: number): void;
}

/** A running watch; close() ends it. */
export interface Watch {
  close(): Promise<void>;
}

/** What the kube-apiserver pod's OpenVPN client of one server reports; function properties, kept and called apart. */
export interface ServerConnectionEvents {
  /** Its connection to the server dropped (the server stopped, was killed or restarted), with a short reason. */
  lost: (reason: string) => void;
  /** It is connected to the server over this TCP connection (again: a reconnect brings a new one). */
  connected: (connection: TcpConnectionId) => void;
}

/**
 * Watches the kube-apiserver pod's OpenVPN client of server s and reports, the moment it happens, that its
 * connection to the server dropped or was made. Silent failures (a black hole) are the probes' to find, with
 * the help of InspectConnection.
 */
export type WatchServerConnection = (server: number, events: ServerConnectionEvents) => Watch;

/** The acknowledgement state of one of this pod's TCP connections (sock_diag); undefined when it does not exist. */
export type InspectConnection = (connection: TcpConnectionId) => Promise<TcpProgress | undefined>;

/**
 * Calls `onChange` whenever the kernel reports a change of the links (a tap created, deleted, recreated),
 * until the watch is closed. Throws when the kernel's notifications cannot be subscribed to.
 */
export type WatchLinks = (onChange: () => void) => Watch;
