import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import * as net from 'node:net';
import { ConnectRelay } from '../../src/relay/connect-relay';
import { captureLogger } from '../ha/support/capture-logger';

const REQUEST = Buffer.from('CONNECT api.example.com:1194 HTTP/1.0\r\nReversed-VPN: server\r\nHost: api.example.com\r\n\r\n', 'latin1');

/** One scripted ingress connection: it sees what the relay sent and answers as the test wants. */
type Script = (socket: net.Socket, request: Buffer) => void;

/** A stand-in ingress on loopback: each connection reads the request head and runs the next script (the last repeats). */
async function fakeIngress(scripts: Script[], port = 0): Promise<{ port: number; requests: Buffer[]; close(): Promise<void> }> {
  const requests: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const request = head.subarray(0, end + 4);
      requests.push(request);
      const rest = head.subarray(end + 4);
      const script = scripts[Math.min(requests.length - 1, scripts.length - 1)];
      script?.(socket, request);
      if (rest.length > 0) socket.emit('data', rest);
    };
    socket.on('data', onData);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    close: async () => {
      sockets.forEach((s) => s.destroy());
      server.close();
      await once(server, 'close');
    },
  };
}

/** Answers 200 (in `pieces` writes) and then echoes every byte prefixed with `echo:`. */
const established =
  (pieces = 1, after = ''): Script =>
  (socket) => {
    const head = 'HTTP/1.1 200 Connection established\r\nserver: istio-envoy\r\n\r\n' + after;
    const step = Math.ceil(head.length / pieces);
    let at = 0;
    const next = (): void => {
      socket.write(head.slice(at, at + step));
      at += step;
      if (at < head.length) setTimeout(next, 5);
    };
    next();
    socket.on('data', (d) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
  };

const refuse =
  (status: string): Script =>
  (socket) =>
    socket.end(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\n\r\n`);

async function startRelay(ingressPort: number, delayMs = 20): Promise<{ relay: ConnectRelay; lines: string[] }> {
  const { logger, lines } = captureLogger();
  const relay = new ConnectRelay({
    listen: { host: '127.0.0.1', port: 0 },
    proxy: { host: '127.0.0.1', port: ingressPort, family: 4 },
    request: REQUEST,
    log: logger,
    attemptTimeoutMs: 1_000,
    retryDelayMs: () => delayMs,
  });
  assert.equal(await relay.listen(), 'listening');
  return { relay, lines };
}

/** A client like OpenVPN: connects, writes `send` at once, collects what comes back until `expect` bytes arrived. */
async function exchange(port: number, send: string, expect: number): Promise<string> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.write(send);
  let got = '';
  for await (const chunk of socket) {
    got += String(chunk);
    if (got.length >= expect) break;
  }
  socket.destroy();
  return got;
}

describe('connect relay', function () {
  this.timeout(10_000);
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const setUp = async (
    scripts: Script[],
    delayMs?: number,
  ): Promise<{ ingress: Awaited<ReturnType<typeof fakeIngress>>; relay: ConnectRelay; lines: string[] }> => {
    const ingress = await fakeIngress(scripts);
    cleanups.push(() => ingress.close());
    const { relay, lines } = await startRelay(ingress.port, delayMs);
    cleanups.push(() => relay.close());
    return { ingress, relay, lines };
  };

  it('sends the request unchanged, keeps the bytes after the 200 head, and relays both ways', async () => {
    const { ingress, relay, lines } = await setUp([established(1, 'SERVER-FIRST|')]);
    // OpenVPN writes before the CONNECT is through; those bytes must follow the request, not precede it.
    const got = await exchange(relay.address.port, 'hello', 'SERVER-FIRST|echo:hello'.length);
    assert.equal(got, 'SERVER-FIRST|echo:hello');
    assert.deepEqual(ingress.requests, [REQUEST]);
    assert.ok(
      lines.some((l) => l.startsWith('info tunnel through the ingress open') && l.includes('attempts=1')),
      lines.join('\n'),
    );
  });

  it('reads a response head split over many packets', async () => {
    const { relay } = await setUp([established(20)]);
    assert.equal(await exchange(relay.address.port, 'x', 'echo:x'.length), 'echo:x');
  });

  it('retries on a non-200 and on a refused connection, logging one line for the OpenVPN connection', async () => {
    const { ingress, relay, lines } = await setUp([refuse('503 Service Unavailable'), refuse('403 Forbidden'), established()]);
    assert.equal(await exchange(relay.address.port, 'x', 'echo:x'.length), 'echo:x');
    assert.equal(ingress.requests.length, 3);
    const warnings = lines.filter((l) => l.startsWith('warn '));
    assert.equal(warnings.length, 1, lines.join('\n'));
    assert.match(
      warnings[0] ?? '',
      /CONNECT through the ingress failed, retrying .*reason="ingress answered \\"HTTP\/1.1 503 Service Unavailable\\""/,
    );
    assert.ok(
      lines.some((l) => l.includes('attempts=3')),
      lines.join('\n'),
    );
    assert.ok(!lines.some((l) => l.includes('Reversed-VPN') || l.includes('CONNECT api')), 'the request is never logged');
  });

  it('keeps trying while the ingress is down and connects once it is back', async () => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const { relay } = await startRelay(port);
    cleanups.push(() => relay.close());
    const result = exchange(relay.address.port, 'x', 'echo:x'.length);
    await new Promise((r) => setTimeout(r, 200));
    const ingress = await fakeIngress([established()], port);
    cleanups.push(() => ingress.close());
    assert.equal(await result, 'echo:x');
  });

  it('stops trying when OpenVPN gives up the connection', async () => {
    const { ingress, relay } = await setUp([refuse('503 Service Unavailable')], 50);
    const socket = net.connect({ host: '127.0.0.1', port: relay.address.port });
    await new Promise((r) => setTimeout(r, 120));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 60));
    const attempts = ingress.requests.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ingress.requests.length, attempts);
  });

  it("closes OpenVPN's connection when the server side ends, and survives a reset of another connection", async () => {
    let n = 0;
    const { relay } = await setUp([
      (socket) => {
        n++;
        established()(socket, Buffer.alloc(0));
        socket.on('data', () => socket.resetAndDestroy());
      },
      established(),
    ]);
    const first = net.connect({ host: '127.0.0.1', port: relay.address.port });
    first.on('error', () => undefined);
    first.resume();
    first.write('x');
    await once(first, 'close');
    assert.equal(n, 1);
    assert.equal(await exchange(relay.address.port, 'y', 'echo:y'.length), 'echo:y');
  });

  it('reports the port held by another relay instead of failing', async () => {
    const { relay } = await setUp([established()]);
    const { logger } = captureLogger();
    const second = new ConnectRelay({
      listen: { host: '127.0.0.1', port: relay.address.port },
      proxy: { host: '127.0.0.1', port: 1, family: 4 },
      request: REQUEST,
      log: logger,
      attemptTimeoutMs: 1_000,
      retryDelayMs: () => 100,
    });
    assert.equal(await second.listen(), 'in-use');
  });
});
