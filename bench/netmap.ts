import { Cidr, maxRoutesPerClient, netmapSubnets, parseServerSettings, renderServerConfig, serverConfigValues } from '@vpn/common';
import { measure, report } from './report';

/**
 * The reference materialises every block of the destination while allocating (mapping a /32 into a /8
 * builds 16.7 M subnets); ours computes allocations arithmetically. These cases show that it stays in
 * the millisecond range where the reference's work explodes.
 */
const eight = Cidr.parse('242.0.0.0/8');
const thousandNets = Array.from({ length: 1000 }, (_, i) => Cidr.parse(`10.${i >> 8}.${i & 255}.0/24`));
const mixed = Array.from({ length: 1000 }, (_, i) => Cidr.parse(`172.${16 + (i % 16)}.${i >> 4}.${(i % 4) * 64}/${26 + (i % 7)}`));
const env = {
  OPENVPN_STATUS_PATH: '/srv/status/openvpn.status',
  SEED_POD_NETWORK: '10.96.0.0/11',
  SHOOT_NODE_NETWORKS: '10.250.0.0/16',
};

report('netmap', [
  measure('a /32 into a /8', 200, () => netmapSubnets([Cidr.parse('10.1.2.3/32')], eight)),
  measure('1,000 /24 networks into a /8', 50, () => netmapSubnets(thousandNets, eight)),
  measure('1,000 networks /26../32 into a /8', 50, () => netmapSubnets(mixed, eight)),
  measure('max-routes-per-client of 1,000 networks', 200, () => maxRoutesPerClient(thousandNets)),
  measure('server settings -> rendered config (S1)', 200, () =>
    renderServerConfig(
      serverConfigValues(parseServerSettings(env), {
        secretsDir: '/srv/secrets',
        clientConfigDir: '/client-config-dir',
        hookCommand: '/bin/vpn-server',
        tunMtu: 0,
      }),
    ),
  ),
]);
