import { strict as assert } from 'node:assert';
import { Cidr, DEFAULT_VPN_NETWORK, Ip, silentLogger } from '@vpn/common';
import { systemClock } from '../../src/ha/clock';
import { runPathController } from '../../src/ha/path-controller';
import type { ControllerHandle } from '../../src/ha/ports';
import { runTunnelController, type TunnelControllerHandle } from '../../src/ha/tunnel-controller';
import { FakeNetwork } from './support/fake-network';
import { LoopbackTunnels } from './support/loopback-tunnels';
import { randomId } from '../../src/ha/wire';
import { noLookups, tunnelSettings } from './support/settings';

const SERVICES = '100.64.0.0/13';
const POD = '10.200.0.10/32';

async function until(condition: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - start;
}

describe('ha controllers over real UDP sockets on ::1 (real timers, fake kernel routes)', () => {
  it('exchange probes, announcements and echoes, and fail over when a server goes silent', async function () {
    this.timeout(10_000);
    const tunnels = new LoopbackTunnels(DEFAULT_VPN_NETWORK);
    const seedNetwork = new FakeNetwork(['tap0', 'tap1']);
    const shootNetwork = new FakeNetwork(['tap0', 'tap1']);
    const handles: ControllerHandle[] = [];
    try {
      const shoot: TunnelControllerHandle = await runTunnelController(tunnelSettings({ haVpnClients: 1 }), {
        clock: systemClock,
        network: shootNetwork,
        bindUdp: tunnels.bindShoot(0),
        restartServer: () => Promise.resolve(),
        logger: silentLogger,
        resolveHost: noLookups,
        listenPort: 0,
      });
      handles.push(shoot);
      handles.push(
        await runPathController(
          {
            vpnNetwork: DEFAULT_VPN_NETWORK,
            haVpnClients: 1,
            haVpnServers: undefined,
            bondingMode: 'active-backup',
            shootNetworks: { services: [Cidr.parse(SERVICES)], pods: [], nodes: [] },
            seedPodNetwork: Cidr.parse('10.200.0.0/16'),
            podIp: Ip.parse('10.200.0.10'),
            metricsPort: 15002,
          },
          { clock: systemClock, network: seedNetwork, bindUdp: tunnels.bindSeed(), instance: randomId(), logger: silentLogger },
        ),
      );

      await until(() => seedNetwork.route(SERVICES) !== undefined && shoot.readiness().ready, 3000);
      assert.equal(seedNetwork.route(SERVICES), `${SERVICES} via fd8f:6d53:b97a:1::100:b00 dev tap0`);
      assert.equal(shootNetwork.route(POD), `${POD} via fd8f:6d53:b97a:1::100:1001 dev tap0`);

      tunnels.blocked.add(0);
      const switchedAfter = await until(() => seedNetwork.route(SERVICES)?.endsWith('dev tap1') === true, 2000);
      await until(() => shootNetwork.route(POD)?.endsWith('dev tap1') === true, 500);
      assert.ok(switchedAfter < 1000, `switched after ${switchedAfter} ms`);
    } finally {
      for (const handle of handles.reverse()) await handle.stop();
    }
  });
});
