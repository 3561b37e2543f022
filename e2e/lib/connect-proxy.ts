import * as net from 'node:net';

/**
 * A minimal HTTP CONNECT proxy: reads the request head, asks a routing decision where to go, answers
 * `200` once the upstream connection stands, then relays bytes both ways. Two stand-ins are built on it:
 * the seed's Istio ingress (routes on a custom header, never on the CONNECT authority) and the envoy
 * sidecar of the vpn-seed-server pod (connects to the authority itself).
 */
export interface ConnectRequest {
  method: string;
  authority: string;
  /** Header names lower-cased; a repeated header keeps its first value. */
  headers: ReadonlyMap<string, string>;
}

export interface Upstream {
  host: string;
  port: number;
}

export type RouteDecision = { upstream: Upstream } | { status: number; reason: string };

export interface ConnectProxyOptions {
  route(request: ConnectRequest): RouteDecision;
  connectTimeoutMs: number;
  log(line: string): void;
  /** Sees every request head as received, up to and including its empty line. */
  onHead?(head: Buffer): void;
}

const MAX_HEAD_BYTES = 16 * 1024;

export function createConnectProxy(opts: ConnectProxyOptions): net.Server {
  return net.createServer((client) => {
    let head = Buffer.alloc(0);
    client.on('error', () => client.destroy());
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) refuse(client, 431, 'Request Header Fields Too Large');
        return;
      }
      client.off('data', onData);
      client.pause();
      opts.onHead?.(head.subarray(0, end + 4));
      const request = parseRequestHead(head.subarray(0, end).toString('latin1'));
      const rest = head.subarray(end + 4);
      if (!request) return refuse(client, 400, 'Bad Request');
      if (request.method !== 'CONNECT') return refuse(client, 405, 'Method Not Allowed');
      const decision = opts.route(request);
      if (!('upstream' in decision)) {
        opts.log(`rejected CONNECT ${request.authority}: ${decision.status} ${decision.reason}`);
        return refuse(client, decision.status, decision.reason);
      }
      tunnel(client, rest, request, decision.upstream, opts);
    };
    client.on('data', onData);
  });
}

function tunnel(client: net.Socket, early: Buffer, request: ConnectRequest, target: Upstream, opts: ConnectProxyOptions): void {
  const upstream = net.connect({ host: target.host, port: target.port });
  const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), opts.connectTimeoutMs);
  const where = `${request.authority} -> ${target.host} port ${target.port}`;
  upstream.once('connect', () => {
    clearTimeout(timer);
    opts.log(`tunnel ${where}`);
    client.write('HTTP/1.1 200 Connection established\r\n\r\n');
    if (early.length > 0) upstream.write(early);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  upstream.on('error', (err) => {
    clearTimeout(timer);
    if (client.bytesWritten === 0) {
      opts.log(`upstream failed ${where}: ${err.message}`);
      refuse(client, 502, 'Bad Gateway');
    } else {
      client.destroy();
    }
  });
  upstream.on('close', () => client.destroy());
  client.on('close', () => upstream.destroy());
}

function refuse(client: net.Socket, status: number, reason: string): void {
  client.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

export function parseRequestHead(head: string): ConnectRequest | undefined {
  const [requestLine, ...headerLines] = head.split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
  if (!m) return undefined;
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { method: m[1], authority: m[2], headers };
}

/**
 * The ingress: the custom header's value names the destination (in Istio it is the upstream cluster
 * name); requests without the header, or with a value nobody registered, are refused.
 */
export function routeByHeader(headerKey: string, routes: ReadonlyMap<string, Upstream>): (request: ConnectRequest) => RouteDecision {
  return (request) => {
    const value = request.headers.get(headerKey.toLowerCase());
    if (value === undefined) return { status: 403, reason: `Forbidden (no ${headerKey} header)` };
    const upstream = routes.get(value);
    return upstream ? { upstream } : { status: 403, reason: `Forbidden (unknown ${headerKey})` };
  };
}

/** The envoy sidecar: connects wherever the authority (`host:port`, IPv6 in brackets) points. */
export function routeByAuthority(request: ConnectRequest): RouteDecision {
  const upstream = parseAuthority(request.authority);
  return upstream ? { upstream } : { status: 400, reason: 'Bad Request (authority)' };
}

export function parseAuthority(authority: string): Upstream | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(authority);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}
