import { strict as assert } from 'node:assert';
import { Cidr, DEFAULT_VPN_NETWORK, Ip, silentLogger } from '@vpn/common';
import { runPathController } from '../../src/ha/path-controller';
import type { ControllerHandle } from '../../src/ha/ports';
import { WATCHDOG_INTERVAL_MS } from '../../src/ha/timing';
import { runTunnelController } from '../../src/ha/tunnel-controller';
import { FakeClock } from './support/fake-clock';
import { FakeNetwork } from './support/fake-network';
import { FakeTunnel } from './support/fake-tunnel';
import { INSTANCE_A } from './support/ids';
import { noLookups, tunnelSettings } from './support/settings';

const SERVICES = '100.64.0.0/13';
const POD = '10.200.0.10/32';

/** One path controller and two tunnel controllers (shoot clients 0 and 1) over two servers, in memory. */
async function startAll(clock: FakeClock, tunnel: FakeTunnel) {
  const seedNetwork = new FakeNetwork(['tap0', 'tap1'], clock);
  const shootNetworks = [new FakeNetwork(['tap0', 'tap1'], clock), new FakeNetwork(['tap0', 'tap1'], clock)];
  const restarts: { client: number; server: number; at: number }[] = [];
  const handles: ControllerHandle[] = [];
  for (const [client, network] of shootNetworks.entries()) {
    handles.push(
      await runTunnelController(tunnelSettings(), {
        clock,
        network,
        bindUdp: tunnel.bindShoot(client),
        restartServer: (server) => {
          restarts.push({ client, server, at: clock.now() });
          return Promise.resolve();
        },
        logger: silentLogger,
        resolveHost: noLookups,
      }),
    );
  }
  handles.push(
    await runPathController(
      {
        vpnNetwork: DEFAULT_VPN_NETWORK,
        haVpnClients: 2,
        haVpnServers: undefined,
        bondingMode: 'active-backup',
        shootNetworks: { services: [Cidr.parse(SERVICES)], pods: [], nodes: [] },
        seedPodNetwork: undefined,
        podIp: Ip.parse('10.200.0.10'),
        metricsPort: 15002,
      },
      { clock, network: seedNetwork, bindUdp: tunnel.bindSeed(0), instance: INSTANCE_A, logger: silentLogger },
    ),
  );
  return { seedNetwork, shootNetworks, restarts, stop: () => Promise.all(handles.map((h) => h.stop())) };
}

describe('ha controllers together (fake clock, in-memory tunnels)', () => {
  it('converge, fail over a dead server in under half a second on both sides, and restart only its clients', async () => {
    const clock = new FakeClock();
    const tunnel = new FakeTunnel(clock, DEFAULT_VPN_NETWORK);
    const all = await startAll(clock, tunnel);
    try {
      await clock.advance(1000);
      assert.equal(all.seedNetwork.route(SERVICES), `${SERVICES} via fd8f:6d53:b97a:1::100:b00 dev tap0`);
      assert.equal(all.shootNetworks[0].route(POD), `${POD} via fd8f:6d53:b97a:1::100:1001 dev tap0`, 'along the active path');
      assert.ok(all.shootNetworks[1].route(POD), 'the standby shoot client has a return route too');

      const failedAt = clock.now() + 5;
      await clock.advance(5);
      tunnel.drop = (c) => c.server === 0;
      let seedMoved: number | undefined;
      let shootMoved: number | undefined;
      while (clock.now() < failedAt + 1200) {
        await clock.advance(10);
        if (seedMoved === undefined && all.seedNetwork.route(SERVICES)?.endsWith('dev tap1')) seedMoved = clock.now() - failedAt;
        if (shootMoved === undefined && all.shootNetworks[0].route(POD)?.endsWith('dev tap1')) shootMoved = clock.now() - failedAt;
      }
      assert.equal(
        all.seedNetwork.route(SERVICES),
        `${SERVICES} via fd8f:6d53:b97a:1::101:b00 dev tap1`,
        'same shoot client, other server',
      );
      assert.ok(seedMoved !== undefined && seedMoved <= 400, `seed switched after ${seedMoved} ms`);
      assert.ok(shootMoved !== undefined && shootMoved <= 410, `shoot return route moved after ${shootMoved} ms`);
      assert.equal(
        all.shootNetworks[1].route(POD),
        `${POD} via fd8f:6d53:b97a:1::101:1001 dev tap1`,
        'fell back after a second of silence',
      );

      // The interval in which the server failed had announcements: 8 silent ones end at the 9th watchdog tick.
      await clock.advance(9 * WATCHDOG_INTERVAL_MS - (clock.now() - failedAt));
      assert.deepEqual(all.restarts, [
        { client: 0, server: 0, at: 9 * WATCHDOG_INTERVAL_MS },
        { client: 1, server: 0, at: 9 * WATCHDOG_INTERVAL_MS },
      ]);
    } finally {
      await all.stop();
    }
  });
});
