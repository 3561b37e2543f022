import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { hostPort } from '../address-plan';
import type { Upstream } from '../connect-proxy';
import { programArgument } from './program-io';

/**
 * One network probe, run inside a lab namespace; prints a `ProbeResult` as JSON and exits 0 when it
 * succeeded. `request` sends a line to a shoot host (directly, or through a CONNECT proxy) and reads the
 * answer; `connect` only opens a TCP connection; `datagrams` sends UDP datagrams.
 */
export type ProbeOp =
  | { op: 'request'; target: Upstream; proxy?: Upstream; timeoutMs: number }
  | { op: 'connect'; target: Upstream; timeoutMs: number }
  | { op: 'datagrams'; target: Upstream; count: number };

export interface ProbeResult {
  ok: boolean;
  detail: string;
  ms: number;
}

const op = programArgument<ProbeOp>();
const started = process.hrtime.bigint();
const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;

function finish(ok: boolean, detail: string): never {
  process.stdout.write(JSON.stringify({ ok, detail, ms: Math.round(elapsed() * 100) / 100 } satisfies ProbeResult) + '\n');
  process.exit(ok ? 0 : 1);
}

function request(target: Upstream, proxy: Upstream | undefined, timeoutMs: number): void {
  const socket = net.connect(proxy ?? target);
  setTimeout(() => finish(false, `timeout after ${timeoutMs} ms`), timeoutMs).unref();
  socket.on('error', (err) => finish(false, err.message));
  let received = '';
  let tunnelled = !proxy;
  socket.on('connect', () => {
    const authority = hostPort(target.host, target.port);
    socket.write(proxy ? `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n` : 'ping\n');
  });
  socket.on('data', (chunk) => {
    received += chunk.toString('utf8');
    if (!tunnelled) {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = received.slice(0, received.indexOf('\r\n'));
      if (!/^HTTP\/1\.[01] 200 /.test(status)) finish(false, `proxy answered ${status}`);
      tunnelled = true;
      received = received.slice(end + 4);
      socket.write('ping\n');
    }
  });
  socket.on('end', () =>
    tunnelled && received.startsWith('pong ') ? finish(true, received.trim()) : finish(false, `closed after ${JSON.stringify(received)}`),
  );
}

function connect(target: Upstream, timeoutMs: number): void {
  const socket = net.connect(target);
  setTimeout(() => finish(false, `timeout after ${timeoutMs} ms`), timeoutMs).unref();
  socket.on('error', (err) => finish(false, err.message));
  socket.on('connect', () => finish(true, `connected from ${socket.localAddress}`));
}

function datagrams(target: Upstream, count: number): void {
  const socket = dgram.createSocket(net.isIPv6(target.host) ? 'udp6' : 'udp4');
  let sent = 0;
  const next = (): void => {
    if (sent === count) {
      socket.close();
      return finish(true, `sent ${count}`);
    }
    sent++;
    socket.send(`datagram ${sent}`, target.port, target.host, (err) => (err ? finish(false, err.message) : setTimeout(next, 10)));
  };
  next();
}

switch (op.op) {
  case 'request':
    request(op.target, op.proxy, op.timeoutMs);
    break;
  case 'connect':
    connect(op.target, op.timeoutMs);
    break;
  case 'datagrams':
    datagrams(op.target, op.count);
    break;
}
