import type { RouteSpec } from '@vpn/common';

/**
 * What the controllers need from the outside world, as small interfaces: the runtime adapters (netlink,
 * dgram, OpenVPN management, HTTP) implement them, tests use fakes.
 */

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
  onDatagram(datagram: Datagram): void;
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

/** A running watch; close() ends it. */
export interface Watch {
  close(): Promise<void>;
}

/**
 * Watches the kube-apiserver pod's OpenVPN client of server s and calls `onLost` the moment its connection
 * to the server drops (the server stopped, was killed or restarted), with a short reason. Silent failures
 * (a black hole) are the probes' to find.
 */
export type WatchServerConnection = (server: number, onLost: (reason: string) => void) => Watch;
