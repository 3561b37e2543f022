import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import {
  createConnectProxy,
  parseAuthority,
  parseRequestHead,
  routeByAuthority,
  routeByHeader,
  type ConnectProxyOptions,
} from '../lib/connect-proxy';

/** An upstream that answers every line with `echo <line>`. */
async function echoServer(): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.on('data', (d) => s.write(`echo ${d.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return server;
}

async function proxy(opts: Omit<ConnectProxyOptions, 'connectTimeoutMs' | 'log'>): Promise<net.Server> {
  const server = createConnectProxy({ ...opts, connectTimeoutMs: 1_000, log: () => undefined });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return server;
}

const portOf = (s: net.Server): number => (s.address() as net.AddressInfo).port;

/** Sends `data` to the proxy; resolves with what came back once `done` says so or the proxy closed. */
function exchange(port: number, data: string, done: (got: string) => boolean = () => false): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(data));
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (done(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

const echoed = (got: string): boolean => /echo .*\n/.test(got);

describe('e2e lib: CONNECT proxies (ingress and envoy stand-ins)', () => {
  const servers: net.Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('the ingress tunnels a request whose header names a known server, whatever the authority says', async () => {
    const upstream = await echoServer();
    const ingress = await proxy({
      route: routeByHeader(
        'X-Gardener-Destination',
        new Map([['outbound|1194||vpn-seed-server.x.svc.cluster.local', { host: '127.0.0.1', port: portOf(upstream) }]]),
      ),
    });
    servers.push(upstream, ingress);
    const got = await exchange(
      portOf(ingress),
      'CONNECT api.example.invalid:1194 HTTP/1.0\r\nx-gardener-destination: outbound|1194||vpn-seed-server.x.svc.cluster.local\r\nHost: api.example.invalid\r\n\r\nhello\n',
      echoed,
    );
    assert.match(got, /^HTTP\/1\.1 200 /);
    assert.match(got, /echo hello\n/);
  });

  it("the ingress refuses requests without the header, with an unknown value, or with the other port's header", async () => {
    const ingress = await proxy({ route: routeByHeader('Reversed-VPN', new Map([['known', { host: '127.0.0.1', port: 1 }]])) });
    servers.push(ingress);
    for (const header of ['', 'Reversed-VPN: unknown\r\n', 'X-Gardener-Destination: known\r\n']) {
      const got = await exchange(portOf(ingress), `CONNECT a:1194 HTTP/1.0\r\n${header}\r\n`);
      assert.match(got, /^HTTP\/1\.1 403 /, header);
    }
  });

  it('envoy connects to the authority and answers 502 when the upstream refuses', async () => {
    const upstream = await echoServer();
    const envoy = await proxy({ route: routeByAuthority });
    servers.push(upstream, envoy);
    assert.match(await exchange(portOf(envoy), `CONNECT 127.0.0.1:${portOf(upstream)} HTTP/1.1\r\n\r\nx\n`, echoed), /echo x/);
    const closed = await echoServer();
    const closedPort = portOf(closed);
    await new Promise((r) => closed.close(r));
    assert.match(await exchange(portOf(envoy), `CONNECT 127.0.0.1:${closedPort} HTTP/1.1\r\n\r\n`), /^HTTP\/1\.1 502 /);
  });

  it('answers 405 to anything but CONNECT and 400 to a malformed head', async () => {
    const envoy = await proxy({ route: routeByAuthority });
    servers.push(envoy);
    assert.match(await exchange(portOf(envoy), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 405 /);
    assert.match(await exchange(portOf(envoy), 'CONNECT nonsense\r\n\r\n'), /^HTTP\/1\.1 400 /);
  });

  it('parses request heads and authorities', () => {
    const head = parseRequestHead('CONNECT 192.0.2.10:1194 HTTP/1.0\r\nReversed-VPN: a|b\r\nReversed-VPN: second\r\nHost: h');
    assert.deepEqual(head && { ...head, headers: [...head.headers] }, {
      method: 'CONNECT',
      authority: '192.0.2.10:1194',
      headers: [
        ['reversed-vpn', 'a|b'],
        ['host', 'h'],
      ],
    });
    assert.equal(parseRequestHead('CONNECT x HTTP/2'), undefined);
    assert.deepEqual(parseAuthority('[fd00:96::10]:8080'), { host: 'fd00:96::10', port: 8080 });
    assert.deepEqual(parseAuthority('100.96.0.10:8080'), { host: '100.96.0.10', port: 8080 });
    assert.equal(parseAuthority('fd00:96::10:8080'), undefined);
    assert.equal(parseAuthority('host:0'), undefined);
    assert.equal(parseAuthority('host:70000'), undefined);
  });
});
