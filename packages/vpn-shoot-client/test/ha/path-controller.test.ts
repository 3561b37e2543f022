import { strict as assert } from 'node:assert';
import { Cidr, DEFAULT_VPN_NETWORK, InputError, Ip, type PathControllerSettings, type TcpProgress } from '@vpn/common';
import { runPathController } from '../../src/ha/path-controller';
import { PathMetrics } from '../../src/ha/path-metrics';
import type { ControllerHandle } from '../../src/ha/ports';
import { ANNOUNCEMENT_PORT, PROBE_INTERVAL_MS } from '../../src/ha/timing';
import { decodeAnnouncement, encodeAnnouncement } from '../../src/ha/wire';
import { captureLogger } from './support/capture-logger';
import { FakeClock } from './support/fake-clock';
import { FakeNetwork } from './support/fake-network';
import { FakeTunnel, type Crossing } from './support/fake-tunnel';
import { INSTANCE_A } from './support/ids';
import { sampleValue } from './support/metrics';
import { seededRandom } from './support/prng';

const SERVICES = '100.64.0.0/13';
const viaPath = (server: number, client: number): string => `via fd8f:6d53:b97a:1::10${server}:b0${client} dev tap${server}`;

function pathSettings(overrides: Partial<PathControllerSettings> = {}): PathControllerSettings {
  return {
    vpnNetwork: DEFAULT_VPN_NETWORK,
    haVpnClients: 1,
    haVpnServers: undefined,
    bondingMode: 'active-backup',
    shootNetworks: { services: [Cidr.parse(SERVICES)], pods: [Cidr.parse('fd00:96::/64')], nodes: [] },
    seedPodNetwork: undefined,
    podIp: Ip.parse('10.200.0.10'),
    metricsPort: 15002,
    ...overrides,
  };
}

/** A path controller (seed pod 0) against shoot clients that echo every datagram. */
class SeedHarness {
  readonly clock = new FakeClock();
  readonly tunnel = new FakeTunnel(this.clock, DEFAULT_VPN_NETWORK);
  readonly network: FakeNetwork;
  readonly log = captureLogger();
  /** What the fake OpenVPN clients report: call `lost[s]` to say server s's client lost its connection. */
  readonly lost = new Map<number, (reason: string) => void>();
  readonly watchesClosed: number[] = [];
  readonly metrics = new PathMetrics();
  /**
   * The kernel's view of this pod's TCP connection to server s (the seed leg), when the path controller asks:
   * acknowledged unless a test says otherwise. Every question is counted in `inspections`.
   */
  seedLeg: (server: number) => TcpProgress | undefined = () => ({ unacked: 0, lastAckAgeMs: 3, rttMs: 0.2 });
  inspections = 0;
  private handle: ControllerHandle | undefined;

  constructor(taps: string[]) {
    this.network = new FakeNetwork(taps, this.clock);
  }

  async start(settings: PathControllerSettings): Promise<this> {
    for (let client = 0; client < settings.haVpnClients; client++) {
      const socket = await this.tunnel.bindShoot(client)({
        address: '::',
        port: ANNOUNCEMENT_PORT,
        onDatagram: (d) => void socket.send(d.data, d.port, d.address),
      });
    }
    this.handle = await runPathController(settings, {
      clock: this.clock,
      network: this.network,
      bindUdp: this.tunnel.bindSeed(0),
      instance: INSTANCE_A,
      logger: this.log.logger,
      watchServer: (server, events) => {
        this.lost.set(server, events.lost);
        events.connected({ local: { address: '10.200.0.10', port: 40000 + server }, remote: { address: `10.0.0.${server}`, port: 1194 } });
        return {
          close: () => {
            this.watchesClosed.push(server);
            return Promise.resolve();
          },
        };
      },
      inspectConnection: (connection) => {
        this.inspections += 1;
        // Asynchronous like the kernel's answer: a throwing seedLeg rejects.
        return Promise.resolve().then(() => this.seedLeg(Number(connection.remote.address.split('.')[3])));
      },
      observer: this.metrics,
    });
    return this;
  }

  stop(): Promise<void> {
    return this.handle?.stop() ?? Promise.resolve();
  }

  route(dst = SERVICES): string | undefined {
    return this.network.route(dst)?.slice(dst.length + 1);
  }

  /** The roles announced in the last probe round, as `tap<s>/client<k>=<role>`. */
  lastRoles(): string[] {
    const sent = this.tunnel.log.filter((c) => c.toShoot);
    const last = Math.max(...sent.map((c) => decodeAnnouncement(c.data).seq));
    return sent
      .filter((c) => decodeAnnouncement(c.data).seq === last)
      .map((c) => `tap${c.server}/client${c.client}=${decodeAnnouncement(c.data).role}`)
      .sort();
  }

  /** `vpn_path_controller_<name>` of path (server, client), or with `labels` instead. */
  metric(name: string, labels: Record<string, string>, sample?: string): Promise<number | undefined> {
    return sampleValue(this.metrics.registry, `vpn_path_controller_${name}`, labels, sample && `vpn_path_controller_${sample}`);
  }

  async pathState(server: number, client: number): Promise<string[]> {
    const states = [];
    for (const state of ['active', 'standby', 'down']) {
      if ((await this.metric('path_state', { server: String(server), client: String(client), state })) === 1) states.push(state);
    }
    return states;
  }

  switches(): number {
    return this.log.lines.filter((line) => line.startsWith('info active path changed')).length;
  }
}

describe('ha path controller (fake clock, in-memory tunnels)', () => {
  let harness: SeedHarness;
  afterEach(() => harness.stop());

  it('routes IPv4 and IPv6 shoot networks over the first healthy path and announces on every healthy one', async () => {
    harness = await new SeedHarness(['eth0', 'tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1000);
    assert.equal(harness.route(), viaPath(0, 0));
    assert.equal(harness.route('fd00:96::/64'), viaPath(0, 0));
    assert.deepEqual(harness.lastRoles(), ['tap0/client0=active', 'tap1/client0=standby']);
    const announcement = decodeAnnouncement(harness.tunnel.log[0].data);
    assert.deepEqual({ pod: announcement.pod.toString(), instance: announcement.instance }, { pod: '10.200.0.10', instance: INSTANCE_A });
    const nonces = harness.tunnel.log.filter((c) => c.toShoot).map((c) => decodeAnnouncement(c.data).nonce);
    assert.equal(new Set(nonces).size, nonces.length, 'a fresh nonce in every probe');
  });

  it('switches at the third missed probe, within 0.4 s of a black hole beyond an acknowledging server, and flushes the dead neighbour', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1005);
    harness.tunnel.drop = (c) => c.server === 0;
    await harness.clock.advance(390);
    assert.equal(harness.route(), viaPath(0, 0), 'two probes missed so far');
    await harness.clock.advance(10);
    assert.equal(harness.route(), viaPath(1, 0));
    assert.deepEqual(harness.network.neighbourDeletions, [{ dev: 'tap0', address: 'fd8f:6d53:b97a:1::100:b00', at: 1400 }]);
    assert.deepEqual(harness.lastRoles(), ['tap1/client0=active']);
    assert.deepEqual(
      harness.log.lines.filter((l) => /path (dead|changed)/.test(l)),
      [
        'info active path changed from=none to=tap0/client0 epoch=1',
        'warn path dead path=tap0/client0 misses=3',
        'info active path changed from=tap0/client0 to=tap1/client0 epoch=2',
      ],
    );
  });

  it('switches 70 ms after the first unanswered probe when the server stopped acknowledging this pod (a black hole)', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1005);
    assert.equal(harness.inspections, 0, 'echoes in time: the kernel is not asked');
    harness.tunnel.drop = (c) => c.server === 0;
    const acknowledgedAt = 1000;
    harness.seedLeg = (server) =>
      server === 0
        ? { unacked: 3, lastAckAgeMs: harness.clock.now() - acknowledgedAt, rttMs: 0.2 }
        : { unacked: 0, lastAckAgeMs: 1, rttMs: 0.2 };
    await harness.clock.advance(1169 - 1005);
    assert.equal(harness.route(), viaPath(0, 0));
    await harness.clock.advance(1);
    assert.equal(harness.route(), viaPath(1, 0), 'the probe of 1100 was asked about at 1170');
    assert.equal(harness.inspections, 1);
    assert.deepEqual(
      harness.log.lines.filter((l) => /path (dead|changed)|connection stalled/.test(l)),
      [
        'info active path changed from=none to=tap0/client0 epoch=1',
        'warn server connection stalled tap=tap0 unacked=3 last_ack_ms=170 rtt_ms=0.2',
        'warn path dead path=tap0/client0 misses=3',
        'info active path changed from=tap0/client0 to=tap1/client0 epoch=2',
      ],
    );
    await harness.clock.advance(30);
    assert.deepEqual(harness.lastRoles(), ['tap1/client0=active']);
  });

  it('takes no early verdict from an acknowledgement after the probe, nothing in flight, no connection, or a failed question', async () => {
    const cases: { name: string; seedLeg: () => TcpProgress | undefined; fails?: boolean }[] = [
      { name: 'acknowledged after the probe', seedLeg: () => ({ unacked: 2, lastAckAgeMs: 20, rttMs: 0.2 }) },
      { name: 'nothing in flight', seedLeg: () => ({ unacked: 0, lastAckAgeMs: 5_000, rttMs: 0.2 }) },
      { name: 'no such connection', seedLeg: () => undefined },
      { name: 'the question failed', seedLeg: () => undefined, fails: true },
    ];
    for (const c of cases) {
      harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
      await harness.clock.advance(1005);
      harness.tunnel.drop = (crossing) => crossing.server === 0;
      harness.seedLeg = c.fails
        ? () => {
            throw new Error('sock_diag: no reply');
          }
        : c.seedLeg;
      await harness.clock.advance(390);
      assert.equal(harness.route(), viaPath(0, 0), `${c.name}: the probes decide`);
      await harness.clock.advance(10);
      assert.equal(harness.route(), viaPath(1, 0), c.name);
      assert.ok(harness.inspections >= 3, `${c.name}: asked ${harness.inspections} times`);
      const failures = harness.log.lines.filter((l) => l.includes('could not inspect the server connection'));
      if (c.fails || c.name === 'no such connection') {
        assert.deepEqual(
          failures,
          [
            'warn could not inspect the server connection, a black hole of the server is found by probes only tap=tap0 ' +
              `connection="10.200.0.10:40000 -> 10.0.0.0:1194" reason="${c.fails ? 'sock_diag: no reply' : 'the kernel knows no such connection'}"`,
          ],
          `${c.name}: logged once`,
        );
      } else assert.deepEqual(failures, [], c.name);
      await harness.stop();
    }
  });

  it('waits for a delayed ACK and two round trips of a slow seed leg before it judges', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1005);
    harness.tunnel.drop = (c) => c.server === 0;
    harness.seedLeg = (server) =>
      server === 0 ? { unacked: 1, lastAckAgeMs: harness.clock.now() - 1000, rttMs: 50 } : { unacked: 0, lastAckAgeMs: 1, rttMs: 50 };
    await harness.clock.advance(1249 - 1005);
    assert.equal(harness.route(), viaPath(0, 0), 'an ACK may still come 40 + 2 × 50 ms after the probe');
    await harness.clock.advance(1);
    assert.equal(harness.route(), viaPath(1, 0));
    assert.ok(harness.log.lines.includes('warn server connection stalled tap=tap0 unacked=1 last_ack_ms=250 rtt_ms=50.0'));
  });

  it('switches at once when the OpenVPN client reports its server connection lost, and revives the path by probes', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1005);
    assert.deepEqual([...harness.lost.keys()], [0, 1], 'one watch per tap');
    harness.tunnel.drop = (c) => c.server === 0;
    const sentBefore = harness.tunnel.log.length;
    harness.lost.get(0)?.('reconnecting (connection-reset)');
    assert.equal(harness.route(), viaPath(1, 0), 'switched without waiting for a probe round');
    const announced = harness.tunnel.log
      .slice(sentBefore)
      .map((c) => ({ to: `tap${c.server}/client${c.client}`, ...decodeAnnouncement(c.data) }));
    assert.deepEqual(
      announced.map((a) => [a.to, a.role, a.epoch]),
      [['tap1/client0', 'active', 2]],
      'the new active path announced at once, so the shoot side routes replies over it',
    );
    assert.deepEqual(
      harness.network.neighbourDeletions.map((d) => d.at),
      [1005],
    );
    assert.deepEqual(
      harness.log.lines.filter((l) => /path (dead|changed)|connection lost/.test(l)),
      [
        'info active path changed from=none to=tap0/client0 epoch=1',
        'warn server connection lost tap=tap0 reason="reconnecting (connection-reset)"',
        'warn path dead path=tap0/client0 misses=3',
        'info active path changed from=tap0/client0 to=tap1/client0 epoch=2',
      ],
    );
    harness.lost.get(0)?.('exiting');
    assert.equal(harness.log.lines.filter((l) => l.includes('connection lost')).length, 1, 'a dead path is not lost twice');
    harness.tunnel.drop = () => false;
    await harness.clock.advance(300);
    assert.ok(harness.log.lines.includes('info path healthy path=tap0/client0'), 'probes revive the path');
    assert.equal(harness.route(), viaPath(1, 0), 'and it stays standby');
    await harness.stop();
    assert.deepEqual(harness.watchesClosed.sort(), [0, 1]);
  });

  it('moves off a shoot client at its first "leaving" echo, to the same server\'s next client', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings({ haVpnClients: 2 }));
    await harness.clock.advance(1005);
    assert.equal(harness.route(), viaPath(0, 0));
    harness.tunnel.rewriteEcho = (data, client) =>
      client === 0 ? encodeAnnouncement({ ...decodeAnnouncement(data), role: 'leaving' }) : data;
    await harness.clock.advance(100);
    assert.equal(harness.route(), viaPath(0, 1), 'within one probe round');
    assert.ok(harness.log.lines.includes('warn shoot client leaving path=tap0/client0'));
  });

  it('deletes the neighbour entry of a dead path at its 3rd miss and every 10 misses after', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1005);
    harness.tunnel.drop = (c) => c.server === 0;
    await harness.clock.advance(3500);
    assert.deepEqual(
      harness.network.neighbourDeletions.map((d) => d.at),
      [1400, 2400, 3400, 4400],
    );
  });

  it('does not switch under 5 % random probe loss (seeded) over 600 probes', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1000);
    const random = seededRandom(15000);
    let lost = 0;
    harness.tunnel.drop = (c) => c.server === 0 && c.toShoot && random() < 0.05 && ++lost > 0;
    await harness.clock.advance(60_000);
    assert.ok(lost >= 20, `probes lost: ${lost}`);
    assert.equal(harness.switches(), 1, 'only the initial choice');
    assert.equal(harness.log.lines.filter((l) => l.includes('path dead')).length, 0);
    assert.equal(harness.route(), viaPath(0, 0));
  });

  it('does not switch when 5 % of the datagrams each way are late (TCP retransmissions)', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1000);
    const random = seededRandom(8132);
    harness.tunnel.delay = (c) => (c.server === 0 && random() < 0.05 ? 230 : 0);
    await harness.clock.advance(60_000);
    assert.equal(harness.switches(), 1);
    assert.equal(harness.route(), viaPath(0, 0));
  });

  it('is sticky: the repaired path becomes standby, the route does not flap back', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1005);
    harness.tunnel.drop = (c) => c.server === 0;
    await harness.clock.advance(1000);
    harness.tunnel.drop = () => false;
    await harness.clock.advance(2000);
    assert.equal(harness.route(), viaPath(1, 0));
    assert.deepEqual(harness.lastRoles(), ['tap0/client0=standby', 'tap1/client0=active']);
    assert.equal(harness.switches(), 2);
  });

  it('prefers the same shoot client on another server, then the lowest client', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings({ haVpnClients: 2 }));
    await harness.clock.advance(1000);
    assert.equal(harness.route(), viaPath(0, 0));
    harness.tunnel.drop = (c) => c.server === 0 && c.client === 0;
    await harness.clock.advance(1000);
    assert.equal(harness.route(), viaPath(1, 0), 'client 0 through server 1, not client 1 through server 0');
    harness.tunnel.drop = (c) => c.client === 0;
    await harness.clock.advance(1000);
    assert.equal(harness.route(), viaPath(0, 1));
  });

  it('balance-rr: one multipath route over every healthy path, every healthy path active', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings({ haVpnClients: 2, bondingMode: 'balance-rr' }));
    await harness.clock.advance(1000);
    const all = ['0:0', '1:0', '0:1', '1:1'].map((p) => `nexthop ${viaPath(Number(p[0]), Number(p[2]))}`).join(' ');
    assert.equal(harness.route(), all);
    harness.tunnel.drop = (c) => c.server === 1;
    await harness.clock.advance(1000);
    assert.equal(harness.route(), `nexthop ${viaPath(0, 0)} nexthop ${viaPath(0, 1)}`);
    assert.deepEqual(harness.lastRoles(), ['tap0/client0=active', 'tap0/client1=active']);
    harness.tunnel.drop = (c) => c.server === 1 || c.client === 1;
    await harness.clock.advance(1000);
    assert.equal(harness.route(), viaPath(0, 0), 'a single healthy path is a plain route');
  });

  it('follows a recreated tap by name and installs its routes again', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1000);
    harness.network.recreateLink('tap0');
    assert.equal(harness.route(), undefined);
    await harness.clock.advance(600);
    assert.equal(harness.route(), viaPath(0, 0));
  });

  it('reinstalls the routes when the only path returns on a new tap', async () => {
    harness = await new SeedHarness(['tap0']).start(pathSettings());
    await harness.clock.advance(1000);
    harness.network.removeLink('tap0');
    harness.tunnel.drop = () => true;
    await harness.clock.advance(2000);
    harness.network.addLink('tap0');
    harness.tunnel.drop = () => false;
    await harness.clock.advance(1000);
    assert.equal(harness.route(), viaPath(0, 0));
    assert.ok(harness.log.lines.some((l) => l.startsWith('warn no healthy path')));
  });

  it('finds the paths from the taps present, also taps that appear later, limited by HA_VPN_SERVERS when given', async () => {
    harness = await new SeedHarness(['tap1', 'tap5', 'tapx']).start(pathSettings());
    await harness.clock.advance(1000);
    assert.deepEqual(harness.lastRoles(), ['tap1/client0=active']);
    harness.network.addLink('tap0');
    harness.network.addLink('tap2');
    await harness.clock.advance(1000);
    assert.deepEqual(harness.lastRoles(), ['tap0/client0=standby', 'tap1/client0=active', 'tap2/client0=standby']);
    await harness.stop();

    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings({ haVpnServers: 1 }));
    await harness.clock.advance(1000);
    assert.deepEqual(harness.lastRoles(), ['tap0/client0=active']);
  });

  it('announces its pod IP mapped into 241/8 and routes the mapped shoot networks when the seed pod network overlaps', async () => {
    const settings = pathSettings({ seedPodNetwork: Cidr.parse('100.64.0.0/16'), podIp: Ip.parse('100.64.7.9') });
    harness = await new SeedHarness(['tap0']).start(settings);
    await harness.clock.advance(1000);
    assert.equal(decodeAnnouncement(harness.tunnel.log[0].data).pod.toString(), '241.64.7.9');
    assert.equal(harness.route('243.0.0.0/8'), viaPath(0, 0));
    assert.equal(harness.route(SERVICES), undefined);
  });

  it('probes a path that never answered and sends nothing through an absent tap', async () => {
    harness = await new SeedHarness(['tap0']).start(pathSettings());
    harness.tunnel.drop = (c: Crossing) => !c.toShoot;
    await harness.clock.advance(2000);
    assert.equal(harness.route(), undefined);
    assert.deepEqual(harness.lastRoles(), ['tap0/client0=down']);
    assert.ok(harness.tunnel.log.every((c) => c.server === 0));
  });

  it('three 0.5 s stalls of its own event loop in a row kill no path and leave failover as fast as before', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1005);
    for (let i = 0; i < 3; i++) await harness.clock.stall(500);
    await harness.clock.advance(1000);
    assert.deepEqual(
      harness.log.lines.filter((l) => l.includes('path dead')),
      [],
    );
    assert.equal(harness.switches(), 1);
    const blackHoleAt = harness.clock.now();
    harness.tunnel.drop = (c) => c.server === 0;
    await harness.clock.waitFor(() => harness.route() === viaPath(1, 0), 2000);
    assert.ok(harness.clock.now() - blackHoleAt <= 400, `switched ${harness.clock.now() - blackHoleAt} ms after the black hole`);
  });

  it("counts no echo whose nonce differs from its probe's (a shoot client cannot fake a healthy path)", async () => {
    harness = await new SeedHarness(['tap0']).start(pathSettings());
    harness.tunnel.rewriteEcho = (data) => {
      const fields = JSON.parse(data.toString()) as Record<string, unknown>;
      return Buffer.from(JSON.stringify({ ...fields, nonce: 'ffffffffffffffff' }));
    };
    await harness.clock.advance(2000);
    assert.equal(harness.route(), undefined);
    assert.deepEqual(harness.lastRoles(), ['tap0/client0=down']);
  });

  it('puts back within 5 s routes that someone deleted from the kernel', async () => {
    harness = await new SeedHarness(['tap0']).start(pathSettings());
    await harness.clock.advance(1000);
    harness.network.routes.clear();
    await harness.clock.advance(2000);
    assert.equal(harness.route(), viaPath(0, 0));
    assert.equal(harness.route('fd00:96::/64'), viaPath(0, 0));
    assert.ok(harness.log.lines.some((l) => l.startsWith('warn route missing or changed in the kernel')));
  });

  it('an exception in a probe round is logged and the next rounds still run', async () => {
    harness = await new SeedHarness(['tap0']).start(pathSettings());
    await harness.clock.advance(1000);
    harness.tunnel.sendThrows.seed = 'socket in a bad state';
    await harness.clock.advance(300);
    harness.tunnel.sendThrows.seed = undefined;
    await harness.clock.advance(1000);
    assert.ok(harness.log.lines.includes('error probe round failed error="socket in a bad state"'), harness.log.lines.join('\n'));
    assert.equal(harness.route(), viaPath(0, 0));
    assert.deepEqual(harness.lastRoles(), ['tap0/client0=active']);
  });

  it('a shoot route the kernel refuses is logged once and installed at the next probe round after the refusal ends', async () => {
    harness = await new SeedHarness(['tap0']).start(pathSettings());
    harness.network.routeFailure = 'RTNETLINK answers: Permission denied';
    await harness.clock.advance(1000);
    assert.equal(harness.route(), undefined);
    assert.deepEqual(
      harness.log.lines.filter((l) => l.startsWith('warn route update failed')),
      [`warn route update failed, will retry error="${SERVICES} ${viaPath(0, 0)}: RTNETLINK answers: Permission denied"`],
      'one line per streak, not one per probe round',
    );
    harness.network.routeFailure = undefined;
    const repairedFrom = harness.clock.now();
    await harness.clock.advance(PROBE_INTERVAL_MS);
    assert.equal(harness.route(), viaPath(0, 0), `not installed ${harness.clock.now() - repairedFrom} ms after the refusal ended`);
    assert.equal(harness.route('fd00:96::/64'), viaPath(0, 0));
    assert.equal(harness.log.lines.filter((l) => l === 'info route update succeeded again').length, 1);
  });

  it("metrics: probes sent, announcements by role, round trips and each path's state", async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    harness.tunnel.delay = (c) => (c.server === 1 ? 20 : 0);
    await harness.clock.advance(1000);
    const tap = (server: number) => ({ server: String(server), client: '0' });
    assert.equal(await harness.metric('probes_sent_total', tap(0)), 10);
    assert.equal(await harness.metric('probes_sent_total', tap(1)), 10);
    assert.equal(await harness.metric('probes_lost_total', tap(1)), 0);
    const announced = (await harness.metric('announcements_sent_total', { role: 'active' })) ?? 0;
    const standby = (await harness.metric('announcements_sent_total', { role: 'standby' })) ?? 0;
    const downs = harness.tunnel.log.filter((c) => c.toShoot && decodeAnnouncement(c.data).role === 'down').length;
    assert.equal(announced + standby + downs, 20, 'every probe over a healthy path is an announcement');
    assert.ok(announced >= 7 && standby >= 7, `active ${announced}, standby ${standby}`);
    assert.deepEqual([await harness.pathState(0, 0), await harness.pathState(1, 0)], [['active'], ['standby']]);
    const echoes = await harness.metric('probe_rtt_seconds', tap(1), 'probe_rtt_seconds_count');
    const sum = await harness.metric('probe_rtt_seconds', tap(1), 'probe_rtt_seconds_sum');
    assert.ok(echoes !== undefined && echoes >= 9, `echoes ${echoes}`);
    const mean = ((sum as number) / echoes) * 1000;
    assert.ok(mean >= 40 && mean < 50, `mean round trip ${mean} ms with 20 ms each way`);
    assert.equal(await harness.metric('probe_rtt_seconds', { ...tap(1), le: '0.025' }, 'probe_rtt_seconds_bucket'), 0);
    assert.equal(await harness.metric('probe_rtt_seconds', { ...tap(1), le: '0.05' }, 'probe_rtt_seconds_bucket'), echoes);
  });

  it('metrics: a black hole counts lost probes, a switch because the active path died, and the new states', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings());
    await harness.clock.advance(1005);
    assert.equal(await harness.metric('active_path_switches_total', { reason: 'initial' }), 1);
    assert.equal(await harness.metric('active_path_switches_total', { reason: 'active_path_dead' }), 0);
    harness.tunnel.drop = (c) => c.server === 0;
    await harness.clock.advance(1000);
    assert.equal(await harness.metric('active_path_switches_total', { reason: 'active_path_dead' }), 1);
    assert.equal(await harness.metric('probes_lost_total', { server: '0', client: '0' }), 9, 'probes sent at 1.1 … 1.9 s, judged by 2.0 s');
    assert.deepEqual([await harness.pathState(0, 0), await harness.pathState(1, 0)], [['down'], ['active']]);
  });

  it('metrics: balance-rr counts a path that returns as a switch of its own reason', async () => {
    harness = await new SeedHarness(['tap0', 'tap1']).start(pathSettings({ bondingMode: 'balance-rr' }));
    await harness.clock.advance(1000);
    harness.tunnel.drop = (c) => c.server === 1;
    await harness.clock.advance(1000);
    harness.tunnel.drop = () => false;
    await harness.clock.advance(1000);
    const switches = async (reason: string) => harness.metric('active_path_switches_total', { reason });
    assert.deepEqual([await switches('active_path_dead'), await switches('path_recovered')], [1, 1]);
  });

  it('refuses HA_VPN_CLIENTS=0', async () => {
    harness = new SeedHarness([]);
    await assert.rejects(harness.start(pathSettings({ haVpnClients: 0 })), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.message, 'HA_VPN_CLIENTS: must be at least 1 for the path controller');
      return true;
    });
  });
});
