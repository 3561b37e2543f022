import type { ClientConfigValues, ServerConfigValues } from '../../src/openvpn/values';

/** Scenario S1, as the reference's server template renders it: non-HA, IPv4 shoot, IPv4 seed pod network. */
export function s1Values(overrides: Partial<ServerConfigValues> = {}): ServerConfigValues {
  const shootNetworks = overrides.shootNetworks ?? ['242.0.0.0/8', '243.0.0.0/8', '244.0.0.0/8'];
  return {
    device: 'tun0',
    isHA: false,
    vpnIndex: -1,
    openvpnNetwork: 'fd8f:6d53:b97a:1::/96',
    shootNetworks,
    upHookRoutes: shootNetworks,
    seedPodNetwork: '10.96.0.0/11',
    maxRoutesPerClient: 1048576,
    maxClients: 0,
    haVpnClients: -1,
    tunMtu: 0,
    statusPath: '/srv/status/openvpn.status',
    secretsDir: '/srv/secrets',
    clientConfigDir: '/client-config-dir',
    hookCommand: '/bin/vpn-server',
    ...overrides,
  };
}

/** Scenario S2: HA server `vpn-seed-server-1`, two shoot clients, no overlap (real shoot CIDRs). */
export function s2Values(): ServerConfigValues {
  return s1Values({
    device: 'tap0',
    isHA: true,
    vpnIndex: 1,
    openvpnNetwork: 'fd8f:6d53:b97a:1::101:0/112',
    shootNetworks: ['10.250.0.0/16', '100.64.0.0/13', '100.96.0.0/11'],
    upHookRoutes: [],
    maxRoutesPerClient: 4,
    maxClients: 34,
    haVpnClients: 2,
  });
}

export const S4_SHOOT_NETWORKS = ['2001:db8:1::/108', '2001:db8:2::/64', '2001:db8:3::/64'];

/** Scenario C1, as the reference's client template renders it: non-HA IPv4 shoot client. */
export function c1Values(overrides: Partial<ClientConfigValues> = {}): ClientConfigValues {
  return {
    device: 'tun0',
    tunMtu: 0,
    ipFamilies: ['IPv4'],
    isShootClient: true,
    isHA: false,
    clientIndex: -1,
    secretsDir: '/srv/secrets',
    endpoint: 'api.bar.foo.example.com',
    openvpnPort: 8132,
    reversedVpnHeaderKey: 'Reversed-VPN',
    reversedVpnHeader: 'outbound|1194||vpn-seed-server.shoot--foo--bar.svc.cluster.local',
    managementPort: 7505,
    relayPort: 9505,
    seedPodNetwork: '241.0.0.0/8',
    ...overrides,
  };
}
