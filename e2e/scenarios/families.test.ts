import { strict as assert } from 'node:assert';
import type { LabSpec } from '../lib/address-plan';
import type { Reach } from '../lib/lab';
import { seconds } from '../lib/measurement';
import { reachableWithTunnel } from '../lib/reach-table';
import { measure, SPECS, useLab } from './support';

const TITLES: [LabSpec, string][] = [
  [SPECS.ipv4, 'IPv4 shoot on an IPv4 seed'],
  [SPECS.dualStack, 'dual-stack shoot and seed'],
  [SPECS.ipv6, 'IPv6-only shoot and seed'],
  [SPECS.overlap, 'IPv4 seed pod network inside the shoot pod network (241-244/8 NETMAP)'],
];

const show = (reach: Reach[]): string =>
  reach.map((r) => `${r.via} ${r.target}: ${r.reached ? 'reached' : 'not reached'} (${r.detail})`).join('\n');

for (const [spec, title] of TITLES) {
  describe(`[e2e] non-HA tunnel: ${title}`, function () {
    this.timeout(40_000);
    const lab = useLab(spec);

    it('reaches no shoot address before the shoot client starts', async () => {
      await lab().startServer();
      const reach = await lab().reachability();
      assert.deepEqual(
        reach.filter((r) => r.reached),
        [],
        show(reach),
      );
    });

    it('reaches shoot pod, service and node addresses once the client is up: ICMP as group 31415, TCP only through envoy', async () => {
      const up = await lab().tunnelUp(await lab().startClient());
      measure(spec.name, { tunnel_up_s: seconds(up.fromPodMs), openvpn_to_tunnel_s: seconds(up.fromOpenvpnMs) });
      const reach = await lab().reachability();
      assert.deepEqual(
        reach.filter((r) => r.reached !== reachableWithTunnel(r)),
        [],
        show(reach),
      );
      for (const r of reach.filter((x) => x.via === 'TCP via envoy')) assert.match(r.detail, /ms$/);
      assert.equal(reach.length, 3 * lab().plan.shootHosts.length);
    });

    it('carries everything over an IPv6-only transfer network: tun0 has no IPv4 address on either side', async () => {
      for (const ns of [lab().ns.server, lab().ns.client]) {
        assert.equal((await ns.ip('-4', 'addr', 'show', 'dev', 'tun0')).trim(), '', ns.name);
        assert.match(await ns.ip('-6', 'addr', 'show', 'dev', 'tun0'), /inet6 fd8f:6d53:b97a:1::/, ns.name);
      }
    });
  });
}
