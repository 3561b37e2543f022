import { strict as assert } from 'node:assert';
import { Cidr, DEFAULT_VPN_NETWORK, Ip } from '@vpn/common';
import type { Datagram, UdpSocket } from '../../src/ha/ports';
import { SENDER_BURST } from '../../src/ha/limits';
import { ANNOUNCEMENT_PORT, RETURN_ROUTE_EXPIRY_MS, WATCHDOG_INTERVAL_MS } from '../../src/ha/timing';
import { runTunnelController, type TunnelControllerHandle } from '../../src/ha/tunnel-controller';
import { TunnelMetrics } from '../../src/ha/tunnel-metrics';
import { decodeAnnouncement, encodeAnnouncement, type Announcement } from '../../src/ha/wire';
import { captureLogger } from './support/capture-logger';
import { FakeClock } from './support/fake-clock';
import { FakeNetwork } from './support/fake-network';
import { FakeTunnel } from './support/fake-tunnel';
import { INSTANCE_A, NONCE } from './support/ids';
import { sampleValue } from './support/metrics';
import { tunnelSettings } from './support/settings';

const POD = '10.200.0.10/32';

/** A tunnel controller (shoot client 0) and a hand-driven seed pod 0 sending it datagrams. */
class ShootHarness {
  readonly clock = new FakeClock();
  readonly tunnel = new FakeTunnel(this.clock, DEFAULT_VPN_NETWORK);
  readonly network: FakeNetwork;
  readonly log = captureLogger();
  readonly restarts: { server: number; at: number }[] = [];
  /** Makes the next restarts fail with this message while set. */
  restartFailure: string | undefined;
  readonly echoes: Datagram[] = [];
  readonly metrics = new TunnelMetrics();
  controller!: TunnelControllerHandle;
  private seed!: UdpSocket;

  constructor(taps: string[]) {
    this.network = new FakeNetwork(taps, this.clock);
  }

  async start(settings = tunnelSettings()): Promise<this> {
    this.controller = await runTunnelController(settings, {
      clock: this.clock,
      network: this.network,
      bindUdp: this.tunnel.bindShoot(0),
      restartServer: (server) => {
        this.restarts.push({ server, at: this.clock.now() });
        return this.restartFailure === undefined ? Promise.resolve() : Promise.reject(new Error(this.restartFailure));
      },
      logger: this.log.logger,
      resolveHost: (host) =>
        host === 'api.shoot.example'
          ? Promise.resolve(['203.0.113.7', '2001:db8::7'])
          : Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`)),
      listenPort: ANNOUNCEMENT_PORT,
      observer: this.metrics,
    });
    this.seed = await this.tunnel.bindSeed(0)({ address: '::', port: 0, onDatagram: (d) => this.echoes.push(d) });
    return this;
  }

  send(server: number, fields: Partial<Announcement> = {}): Buffer {
    return this.sendRaw(
      server,
      encodeAnnouncement({ pod: Ip.parse('10.200.0.10'), instance: INSTANCE_A, epoch: 1, seq: 1, nonce: NONCE, role: 'active', ...fields }),
    );
  }

  /** Any bytes, from seed pod 0's address on `server`: a valid sender. */
  sendRaw(server: number, data: Buffer): Buffer {
    void this.seed.send(data, ANNOUNCEMENT_PORT, this.tunnel.shootAddress(server, 0).toString());
    return data;
  }

  /** `vpn_tunnel_controller_<name>` with these labels. */
  metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    return sampleValue(this.metrics.registry, `vpn_tunnel_controller_${name}`, labels);
  }

  async refusals(): Promise<Record<string, number | undefined>> {
    const reasons = ['rate_limited', 'malformed', 'invalid_pod_ip', 'stale_epoch', 'foreign_instance', 'table_full'];
    const counts: Record<string, number | undefined> = {};
    for (const reason of reasons) counts[reason] = await this.metric('announcements_refused_total', { reason });
    return counts;
  }

  /** Announcements through `server` every 100 ms for `ms`. */
  async announce(server: number, ms: number, fields: Partial<Announcement> = {}): Promise<void> {
    for (let t = 0; t < ms; t += 100) {
      this.send(server, fields);
      await this.clock.advance(100);
    }
  }
}

describe('ha tunnel controller (fake clock, in-memory tunnels)', () => {
  let harness: ShootHarness;
  afterEach(() => harness.controller?.stop());

  it('echoes a probe byte for byte and routes the announced pod back along the active path', async () => {
    harness = await new ShootHarness(['tap0', 'tap1']).start();
    assert.deepEqual(harness.controller.readiness(), { ready: false, reason: 'no seed pod heard from' });
    const sent = harness.send(1);
    await harness.clock.advance(10);
    assert.equal(harness.echoes.length, 1);
    assert.deepEqual(harness.echoes[0].data, sent);
    assert.equal(harness.echoes[0].address, 'fd8f:6d53:b97a:1::101:b00');
    assert.equal(harness.network.route(POD), `${POD} via fd8f:6d53:b97a:1::101:1001 dev tap1`);
    assert.deepEqual(harness.controller.readiness(), { ready: true, reason: 'ok' });
  });

  it('while leaving, answers every probe as "leaving" for the time given, and keeps its return routes', async () => {
    harness = await new ShootHarness(['tap0', 'tap1']).start();
    harness.send(1, { seq: 1 });
    await harness.clock.advance(10);
    let left = false;
    const leaving = harness.controller.leave(1000).then(() => (left = true));
    await harness.clock.advance(10);
    const told = decodeAnnouncement(harness.echoes[1].data);
    assert.deepEqual([told.seq, told.nonce, told.role], [1, NONCE, 'leaving'], 'the last probe answered again at once');
    harness.send(1, { seq: 2 });
    await harness.clock.advance(500);
    assert.equal(left, false);
    const echo = decodeAnnouncement(harness.echoes[2].data);
    assert.deepEqual([echo.seq, echo.nonce, echo.role], [2, NONCE, 'leaving']);
    assert.equal(harness.network.route(POD), `${POD} via fd8f:6d53:b97a:1::101:1001 dev tap1`);
    await harness.clock.advance(500);
    await leaving;
    assert.ok(harness.log.lines.includes('info leaving: echoing every probe as leaving ms=1000 seed_pods_told=1'));
  });

  it('routes IPv6 seed pods with /128', async () => {
    harness = await new ShootHarness(['tap0']).start();
    harness.send(0, { pod: Ip.parse('fd00:10:200::a') });
    await harness.clock.advance(10);
    assert.equal(harness.network.route('fd00:10:200::a/128'), 'fd00:10:200::a/128 via fd8f:6d53:b97a:1::100:1001 dev tap0');
  });

  it('follows the seed side to a new active path and ignores a late "active" from before the switch', async () => {
    harness = await new ShootHarness(['tap0', 'tap1']).start();
    harness.send(0, { epoch: 1 });
    harness.send(1, { epoch: 1, role: 'standby' });
    await harness.clock.advance(10);
    harness.send(1, { epoch: 2 });
    await harness.clock.advance(10);
    assert.equal(harness.network.route(POD), `${POD} via fd8f:6d53:b97a:1::101:1001 dev tap1`);
    harness.send(0, { epoch: 1 });
    await harness.clock.advance(10);
    assert.equal(harness.network.route(POD), `${POD} via fd8f:6d53:b97a:1::101:1001 dev tap1`);
    assert.equal(harness.echoes.length, 4, 'even stale datagrams are echoed: they are probes too');
  });

  it('a "down" probe is echoed but neither routes nor counts for the watchdog', async () => {
    harness = await new ShootHarness(['tap0']).start();
    for (let i = 0; i < 80; i++) {
      harness.send(0, { role: 'down' });
      await harness.clock.advance(WATCHDOG_INTERVAL_MS / 10);
    }
    assert.equal(harness.echoes.length, 80);
    assert.equal(harness.network.routes.size, 0);
    assert.deepEqual(
      harness.restarts.map((r) => r.server),
      [0],
    );
  });

  it('echoes but does not route a pod IP outside SEED_POD_NETWORK and 241/8, and logs it once', async () => {
    harness = await new ShootHarness(['tap0']).start(tunnelSettings({ seedPodNetwork: Cidr.parse('10.200.0.0/16') }));
    harness.send(0, { pod: Ip.parse('100.96.0.1') });
    harness.send(0, { pod: Ip.parse('100.96.0.1') });
    harness.send(0, { pod: Ip.parse('241.200.0.10') });
    await harness.clock.advance(10);
    assert.equal(harness.echoes.length, 3);
    assert.deepEqual([...harness.network.routes.keys()], ['241.200.0.10/32']);
    assert.equal(harness.log.lines.filter((l) => l.startsWith('warn announcement refused')).length, 1);
  });

  it('ignores datagrams that are not from a seed client of a server whose tap is present', async () => {
    harness = await new ShootHarness(['tap0']).start();
    harness.send(1);
    await harness.clock.advance(10);
    assert.equal(harness.echoes.length, 0, 'tap1 is absent');
    harness.network.addLink('tap1');
    await harness.clock.advance(500);
    harness.send(1);
    await harness.clock.advance(10);
    assert.equal(harness.echoes.length, 1);
  });

  it('falls back to the freshest path after a second of silence on the active one', async () => {
    harness = await new ShootHarness(['tap0', 'tap1']).start();
    harness.send(0);
    for (let t = 0; t < 1200; t += 100) {
      harness.send(1, { role: 'standby' });
      await harness.clock.advance(100);
      const expected = t < 1000 ? 'tap0' : 'tap1';
      assert.ok(harness.network.route(POD)?.endsWith(expected), `t=${t}: ${harness.network.route(POD)}`);
    }
  });

  it('reports a return route that cannot be installed, and retries it', async () => {
    harness = await new ShootHarness(['tap0']).start();
    harness.network.routeFailure = 'permission denied';
    harness.send(0);
    await harness.clock.advance(10);
    assert.deepEqual(harness.controller.readiness(), {
      ready: false,
      reason: `no route to seed pod 10.200.0.10 (${POD} via fd8f:6d53:b97a:1::100:1001 dev tap0: permission denied)`,
    });
    harness.network.routeFailure = undefined;
    await harness.clock.advance(100);
    assert.deepEqual(harness.controller.readiness(), { ready: true, reason: 'ok' });
  });

  it('installs the return routes again when a tap is recreated', async () => {
    harness = await new ShootHarness(['tap0']).start();
    harness.send(0);
    await harness.clock.advance(10);
    harness.network.recreateLink('tap0');
    await harness.clock.advance(500);
    assert.equal(harness.network.route(POD), `${POD} via fd8f:6d53:b97a:1::100:1001 dev tap0`);
  });

  it('removes the return route of a pod silent for the expiry time', async () => {
    harness = await new ShootHarness(['tap0']).start(tunnelSettings({ watchdog: { windowSize: 1000, threshold: 1000, cooldown: 1 } }));
    harness.send(0);
    await harness.clock.advance(RETURN_ROUTE_EXPIRY_MS);
    assert.equal(harness.network.routes.size, 1);
    await harness.clock.advance(200);
    assert.equal(harness.network.routes.size, 0);
    assert.equal(harness.controller.readiness().ready, false);
  });

  it('watchdog: one window per server tap, only the silent server restarted, then cooldown', async () => {
    harness = await new ShootHarness(['tap0', 'tap1']).start();
    await harness.announce(1, 8 * WATCHDOG_INTERVAL_MS);
    assert.deepEqual(harness.restarts, [{ server: 0, at: 8 * WATCHDOG_INTERVAL_MS }]);
    await harness.announce(1, 27 * WATCHDOG_INTERVAL_MS);
    assert.equal(harness.restarts.length, 1, '20 intervals of cooldown, then 7 failures');
    await harness.announce(1, WATCHDOG_INTERVAL_MS);
    assert.deepEqual(
      harness.restarts.map((r) => r.server),
      [0, 0],
    );
  });

  it(`rate-limits each sender: of 1000 datagrams at once, ${SENDER_BURST} are answered, and it is logged once`, async () => {
    harness = await new ShootHarness(['tap0']).start();
    for (let i = 0; i < 1000; i++) harness.send(0, { seq: i });
    await harness.clock.advance(10);
    assert.equal(harness.echoes.length, SENDER_BURST);
    assert.equal(harness.log.lines.filter((l) => l.includes('sends faster than the rate limit')).length, 1);
    await harness.clock.advance(1000);
    await harness.announce(0, 2000);
    assert.equal(harness.echoes.length, SENDER_BURST + 20, 'a second later, one datagram per probe interval passes again');
  });

  it('refuses pod IPs in the shoot networks and addresses of ENDPOINT, when it is told them', async () => {
    const shootNetworks = {
      services: [Cidr.parse('100.64.0.0/13')],
      pods: [Cidr.parse('100.96.0.0/11')],
      nodes: [Cidr.parse('10.250.0.0/16')],
    };
    harness = await new ShootHarness(['tap0']).start(tunnelSettings({ shootNetworks, endpoint: 'api.shoot.example' }));
    for (const pod of ['100.96.3.4', '100.64.0.10', '10.250.0.5', '203.0.113.7', '2001:db8::7', '10.200.0.10'])
      harness.send(0, { pod: Ip.parse(pod) });
    await harness.clock.advance(10);
    assert.deepEqual([...harness.network.routes.keys()], ['10.200.0.10/32']);
    assert.deepEqual(
      harness.log.lines.filter((l) => l.startsWith('warn announcement refused')).map((l) => l.replace(/.*problem=/, '')),
      [
        '"100.96.3.4 lies in the shoot network 100.96.0.0/11"',
        '"100.64.0.10 lies in the shoot network 100.64.0.0/13"',
        '"10.250.0.5 lies in the shoot network 10.250.0.0/16"',
        '"203.0.113.7 is an address of the endpoint"',
        '"2001:db8::7 is an address of the endpoint"',
      ],
    );
  });

  it('keeps a pod with the path controller instance it hears; another takes over after a second of silence', async () => {
    harness = await new ShootHarness(['tap0', 'tap1']).start();
    const other = { instance: 'ffffffffffffffff' as typeof INSTANCE_A, epoch: Number.MAX_SAFE_INTEGER };
    harness.send(0);
    await harness.clock.advance(10);
    harness.send(1, other);
    await harness.clock.advance(10);
    assert.equal(harness.network.route(POD), `${POD} via fd8f:6d53:b97a:1::100:1001 dev tap0`, 'the first instance still speaks');
    await harness.clock.advance(1000);
    harness.send(1, other);
    await harness.clock.advance(10);
    assert.equal(harness.network.route(POD), `${POD} via fd8f:6d53:b97a:1::101:1001 dev tap1`);
  });

  it('puts back within 5 s return routes that someone deleted from the kernel', async () => {
    harness = await new ShootHarness(['tap0']).start(tunnelSettings({ watchdog: { windowSize: 1000, threshold: 1000, cooldown: 1 } }));
    harness.send(0);
    await harness.clock.advance(10);
    harness.network.routes.clear();
    await harness.clock.advance(2000);
    assert.equal(harness.network.route(POD), `${POD} via fd8f:6d53:b97a:1::100:1001 dev tap0`);
  });

  it('an exception while handling a datagram is logged, and the next datagram is handled', async () => {
    harness = await new ShootHarness(['tap0']).start();
    harness.tunnel.sendThrows.shoot = 'socket in a bad state';
    harness.send(0);
    await harness.clock.advance(10);
    harness.tunnel.sendThrows.shoot = undefined;
    assert.ok(harness.log.lines.includes('error handling a datagram failed error="socket in a bad state"'), harness.log.lines.join('\n'));
    harness.send(0);
    await harness.clock.advance(10);
    assert.equal(harness.echoes.length, 1);
  });

  it('a datagram from a valid sender that is not an announcement is logged and ignored; the next announcement routes', async () => {
    harness = await new ShootHarness(['tap0']).start();
    harness.sendRaw(0, Buffer.from('not json'));
    harness.sendRaw(0, Buffer.from(JSON.stringify({ v: 2, pod: 42, role: 'active' })));
    await harness.clock.advance(10);
    assert.deepEqual(
      harness.log.lines.filter((l) => l.startsWith('debug ignoring datagram')).map((l) => l.replace(/ error=.*/, '')),
      Array(2).fill('debug ignoring datagram sender=fd8f:6d53:b97a:1::100:1001'),
      harness.log.lines.join('\n'),
    );
    assert.equal(harness.echoes.length, 0, 'garbage is not echoed: an echo would count as a healthy path');
    assert.equal(harness.network.routes.size, 0);
    const sent = harness.send(0);
    await harness.clock.advance(10);
    assert.deepEqual(
      harness.echoes.map((e) => e.data),
      [sent],
    );
    assert.equal(harness.network.route(POD), `${POD} via fd8f:6d53:b97a:1::100:1001 dev tap0`);
  });

  it('a restart that fails is logged, and the watchdog tries again when the silence outlasts the cooldown', async () => {
    harness = await new ShootHarness(['tap0']).start();
    harness.restartFailure = 'management port 7505: connect ECONNREFUSED';
    await harness.clock.advance(8 * WATCHDOG_INTERVAL_MS);
    assert.deepEqual(harness.restarts, [{ server: 0, at: 8 * WATCHDOG_INTERVAL_MS }]);
    assert.ok(
      harness.log.lines.includes('warn could not restart the OpenVPN client tap=tap0 error="management port 7505: connect ECONNREFUSED"'),
      harness.log.lines.join('\n'),
    );
    harness.restartFailure = undefined;
    // The failed attempt cleared the window like a successful one: 20 intervals of cooldown, then 8 failures.
    await harness.clock.advance(27 * WATCHDOG_INTERVAL_MS);
    assert.equal(harness.restarts.length, 1);
    await harness.clock.advance(WATCHDOG_INTERVAL_MS);
    assert.deepEqual(
      harness.restarts.map((r) => r.at),
      [8, 36].map((n) => n * WATCHDOG_INTERVAL_MS),
    );
    assert.equal(harness.log.lines.filter((l) => l === 'info OpenVPN client restarted tap=tap0').length, 1);
  });

  it('metrics: announcements accepted per server and refused by reason, return routes held', async () => {
    harness = await new ShootHarness(['tap0', 'tap1']).start(tunnelSettings({ seedPodNetwork: Cidr.parse('10.200.0.0/16') }));
    assert.equal(await harness.metric('return_routes'), 0);
    harness.send(0, { epoch: 2 });
    harness.send(1, { epoch: 2, role: 'standby' });
    harness.send(1, { epoch: 2, role: 'down' });
    harness.send(0, { epoch: 1 });
    harness.send(0, { pod: Ip.parse('100.96.0.1') });
    harness.send(1, { instance: 'ffffffffffffffff' as typeof INSTANCE_A });
    harness.sendRaw(0, Buffer.from('{"v":2'));
    await harness.clock.advance(10);
    assert.deepEqual(
      [
        await harness.metric('announcements_accepted_total', { server: '0' }),
        await harness.metric('announcements_accepted_total', { server: '1' }),
      ],
      [1, 1],
    );
    assert.deepEqual(await harness.refusals(), {
      rate_limited: 0,
      malformed: 1,
      invalid_pod_ip: 1,
      stale_epoch: 1,
      foreign_instance: 1,
      table_full: 0,
    });
    assert.equal(await harness.metric('return_routes'), 1);
    harness.send(0, { pod: Ip.parse('10.200.0.11') });
    await harness.clock.advance(10);
    assert.equal(await harness.metric('return_routes'), 2);
    for (let i = 0; i < 100; i++) harness.send(1, { pod: Ip.parse('10.200.0.11') });
    await harness.clock.advance(10);
    assert.equal((await harness.refusals()).rate_limited, 100 - (SENDER_BURST - 3));
  });

  it('metrics: watchdog restarts per server', async () => {
    harness = await new ShootHarness(['tap0', 'tap1']).start();
    await harness.announce(1, 8 * WATCHDOG_INTERVAL_MS);
    assert.equal(await harness.metric('watchdog_restarts_total', { server: '0' }), 1);
    assert.equal(await harness.metric('watchdog_restarts_total', { server: '1' }), undefined, 'never restarted: no series');
  });
});
