import * as net from 'node:net';
import type { Logger } from '@vpn/common';
import { parseConnectResponse } from './http-connect';

export interface RelayOptions {
  listen: { host: string; port: number };
  /** The ingress: ENDPOINT:OPENVPN_PORT; family 4 or 6 restricts the name lookup as `proto tcp4-/tcp6-client` did, 0 takes either. */
  proxy: { host: string; port: number; family: 0 | 4 | 6 };
  /** The CONNECT request, sent unchanged on every attempt. */
  request: Buffer;
  log: Logger;
  /** One attempt: TCP connect to the ingress plus its response head. */
  attemptTimeoutMs: number;
  /** Pause before the next attempt, given how long the ingress has been failing. */
  retryDelayMs(failingForMs: number): number;
  now?: () => number;
}

/**
 * The pace of attempts while the ingress fails: a server that restarts within 10 s (a container restart)
 * is reached within 0.1 s of being back; a longer outage slows down to OpenVPN's former pace (5 s), so that
 * the shoots of a seed do not flood its ingress.
 */
export function defaultRetryDelayMs(failingForMs: number): number {
  if (failingForMs < 10_000) return 100;
  if (failingForMs < 60_000) return 1_000;
  return 5_000;
}

/**
 * The connect relay: OpenVPN connects to it on loopback instead of using `http-proxy`. For each connection
 * it makes the CONNECT through the ingress and then copies bytes both ways. While the ingress fails (no
 * connection, a status other than 200, a close before the head ends) it keeps OpenVPN's connection and
 * tries again: OpenVPN's own retry waits whole seconds and backs off after four failures, too slow for a
 * sub-second reconnect. OpenVPN's `server-poll-timeout` bounds how long it waits.
 *
 * Everything that goes wrong with one connection stays with that connection; `fatal` rejects only when
 * the listening socket fails.
 */
export class ConnectRelay {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private failingSince: number | undefined;
  private rejectFatal: (err: Error) => void = () => undefined;
  /** Rejects when the listening socket fails after `listen` succeeded. */
  readonly fatal: Promise<never>;

  constructor(private readonly opts: RelayOptions) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.fatal = new Promise<never>((_, reject) => {
      this.rejectFatal = reject;
    });
    this.fatal.catch(() => undefined);
  }

  /** `in-use` when another process (a relay a previous run started) holds the port. */
  listen(): Promise<'listening' | 'in-use'> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        if (err.code === 'EADDRINUSE') resolve('in-use');
        else reject(err);
      };
      this.server.once('error', onError);
      this.server.listen({ host: this.opts.listen.host, port: this.opts.listen.port, exclusive: true }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.rejectFatal(err));
        resolve('listening');
      });
    });
  }

  get address(): net.AddressInfo {
    return this.server.address() as net.AddressInfo;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(client: net.Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    const early: Buffer[] = [];
    // Reading on (rather than pausing) notices OpenVPN giving up; what it sent waits for the tunnel.
    const hold = (chunk: Buffer): void => {
      early.push(chunk);
      if (early.reduce((n, b) => n + b.length, 0) > MAX_EARLY_BYTES) client.pause();
    };
    const conn: Connection = { client, attempts: 0, retry: undefined, upstream: undefined, loggedFailure: false, early, hold };
    client.on('data', hold);
    client.once('close', () => {
      clearTimeout(conn.retry);
      conn.upstream?.destroy();
    });
    this.attempt(conn);
  }

  private attempt(conn: Connection): void {
    if (conn.client.destroyed) return;
    conn.attempts++;
    const { host, port, family } = this.opts.proxy;
    const upstream = net.connect({ host, port, family, noDelay: true });
    conn.upstream = upstream;
    this.track(upstream);
    let received = Buffer.alloc(0);
    let done = false;
    const timer = setTimeout(() => fail(`no response within ${this.opts.attemptTimeoutMs} ms`), this.opts.attemptTimeoutMs);
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      upstream.off('data', onData);
      return true;
    };
    const fail = (reason: string): void => {
      if (!finish()) return;
      upstream.destroy();
      this.failed(conn, reason);
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const response = parseConnectResponse(received);
      switch (response.kind) {
        case 'incomplete':
          return;
        case 'refused':
          return fail(`ingress answered ${JSON.stringify(response.statusLine)}`);
        case 'invalid':
          return fail(response.reason);
        case 'established':
          if (finish()) this.splice(conn, upstream, response.rest);
      }
    };
    upstream.once('connect', () => upstream.write(this.opts.request));
    upstream.on('data', onData);
    upstream.on('error', (err) => fail(err.message));
    upstream.once('close', () => fail('ingress closed the connection before its response ended'));
  }

  private failed(conn: Connection, reason: string): void {
    if (conn.client.destroyed) return;
    const now = this.now();
    this.failingSince ??= now;
    const delay = this.opts.retryDelayMs(now - this.failingSince);
    // One line per OpenVPN connection: an outage of minutes would otherwise log every attempt.
    if (!conn.loggedFailure) {
      conn.loggedFailure = true;
      this.opts.log.warn('CONNECT through the ingress failed, retrying', { proxy: this.proxyText(), reason, retry_ms: delay });
    }
    conn.retry = setTimeout(() => this.attempt(conn), delay);
  }

  private splice(conn: Connection, upstream: net.Socket, rest: Buffer): void {
    const { client } = conn;
    this.failingSince = undefined;
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    this.opts.log.info('tunnel through the ingress open', { proxy: this.proxyText(), attempts: conn.attempts });
    upstream.on('error', () => upstream.destroy());
    upstream.once('close', () => {
      this.opts.log.info('tunnel through the ingress closed', {
        from_ingress_bytes: upstream.bytesRead,
        to_ingress_bytes: upstream.bytesWritten,
      });
      client.destroy();
    });
    client.once('close', () => upstream.destroy());
    client.off('data', conn.hold);
    // OpenVPN runs with tcp-nodelay: with http-proxy its own socket to the ingress sends every packet at
    // once. Nagle on either relay socket would hold back the small packets (the tunnelled TCP's ACKs) behind
    // unacknowledged data and slow bulk transfers (bench/reconnect.ts: 71 % of http-proxy's throughput).
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    if (rest.length > 0) client.write(rest);
    for (const chunk of conn.early.splice(0)) upstream.write(chunk);
    upstream.pipe(client);
    client.pipe(upstream);
    client.resume();
  }

  private proxyText(): string {
    return `${this.opts.proxy.host}:${this.opts.proxy.port}`;
  }
}

/** OpenVPN sends one packet and waits for the server; more than this before the tunnel stands is not OpenVPN. */
const MAX_EARLY_BYTES = 64 * 1024;

interface Connection {
  client: net.Socket;
  /** Bytes OpenVPN sent before the tunnel stood, and the listener collecting them. */
  early: Buffer[];
  hold: (chunk: Buffer) => void;
  attempts: number;
  retry: NodeJS.Timeout | undefined;
  upstream: net.Socket | undefined;
  loggedFailure: boolean;
}
