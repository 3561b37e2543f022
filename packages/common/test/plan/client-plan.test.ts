import type { NetmapEntry } from '../../src/net/netmap';
import { strict as assert } from 'node:assert';
import { parseClientSettings } from '../../src/config/client-settings';
import { clientConfigValues, clientNetmap } from '../../src/plan/client-plan';
import { expectInputError } from '../config/expect-input-error';
import { c1Values } from '../openvpn/fixtures';

const RUNTIME = { secretsDir: '/srv/secrets', tunMtu: 0 };
const NETWORKS = {
  SHOOT_SERVICE_NETWORKS: '100.64.0.0/13',
  SHOOT_POD_NETWORKS: '100.96.0.0/11',
  SHOOT_NODE_NETWORKS: '10.250.0.0/16',
};
const C1 = {
  ...NETWORKS,
  IS_SHOOT_CLIENT: 'true',
  ENDPOINT: 'api.bar.foo.example.com',
  OPENVPN_PORT: '8132',
  REVERSED_VPN_HEADER: 'outbound|1194||vpn-seed-server.shoot--foo--bar.svc.cluster.local',
  POD_NAME: 'vpn-shoot-6f7c79b87f-kpqcl',
  SEED_POD_NETWORK: '10.96.0.0/11',
};
const C2 = {
  ...C1,
  IS_HA: 'true',
  POD_NAME: 'vpn-shoot-1',
  VPN_SERVER_INDEX: '1',
  HA_VPN_SERVERS: '2',
  HA_VPN_CLIENTS: '2',
  REVERSED_VPN_HEADER: 'outbound|1194||vpn-seed-server-1.shoot--foo--bar.svc.cluster.local',
};
const C3 = {
  ...NETWORKS,
  IS_HA: 'true',
  POD_NAME: 'kube-apiserver-7d9f-12345',
  VPN_SERVER_INDEX: '0',
  ENDPOINT: 'vpn-seed-server-0',
  HA_VPN_SERVERS: '2',
  HA_VPN_CLIENTS: '2',
  SEED_POD_NETWORK: '10.96.0.0/11',
};

describe('plan: client config values (as the reference builds its client template values)', () => {
  it('C1: non-HA IPv4 shoot client; the IPv4 seed pod network becomes 241.0.0.0/8', () => {
    assert.deepEqual(clientConfigValues(parseClientSettings(C1), RUNTIME), c1Values());
  });

  it('C2: HA shoot client vpn-shoot-1 on server 1', () => {
    const v = clientConfigValues(parseClientSettings(C2), { ...RUNTIME, tunMtu: 8800 });
    assert.equal(v.device, 'tap1');
    assert.equal(v.managementPort, 7506);
    assert.equal(v.relayPort, 9506);
    assert.equal(v.clientIndex, 1);
    assert.equal(v.isHA, true);
    assert.equal(v.tunMtu, 8800);
    assert.equal(v.reversedVpnHeader, 'outbound|1194||vpn-seed-server-1.shoot--foo--bar.svc.cluster.local');
    assert.equal(v.seedPodNetwork, '10.96.0.0/11');
  });

  it('C3: HA seed client in a kube-apiserver pod with a digit-only suffix keeps index -1', () => {
    const v = clientConfigValues(parseClientSettings(C3), RUNTIME);
    assert.equal(v.device, 'tap0');
    assert.equal(v.managementPort, 7505);
    assert.equal(v.clientIndex, -1);
    assert.equal(v.isShootClient, false);
    assert.equal(v.endpoint, 'vpn-seed-server-0');
  });

  it('C4: dual-stack', () => {
    assert.deepEqual(clientConfigValues(parseClientSettings({ ...C1, IP_FAMILIES: 'IPv6,IPv4' }), RUNTIME).ipFamilies, ['IPv4', 'IPv6']);
  });

  it('C5: IPv6-only with an IPv6 seed pod network keeps the CIDR', () => {
    const v = clientConfigValues(parseClientSettings({ ...C1, IP_FAMILIES: 'IPv6', SEED_POD_NETWORK: 'fd00:10::/64' }), RUNTIME);
    assert.deepEqual(v.ipFamilies, ['IPv6']);
    assert.equal(v.seedPodNetwork, 'fd00:10::/64');
  });

  it('no seed pod network: empty text', () => {
    assert.equal(clientConfigValues(parseClientSettings({ ...C1, SEED_POD_NETWORK: '' }), RUNTIME).seedPodNetwork, '');
  });
});

describe('plan: client NETMAP (as gardener/vpn2 pkg/vpn_client/iptables.go)', () => {
  const C1_PAIRS = [
    { orig: '100.96.0.0/11', mapped: '244.0.0.0/11' },
    { orig: '100.64.0.0/13', mapped: '243.0.0.0/13' },
    { orig: '10.250.0.0/16', mapped: '242.0.0.0/16' },
  ];

  const asText = (entries: NetmapEntry[]) => entries.map((e) => ({ orig: e.source.toString(), mapped: e.mapped.toString() }));

  it('non-HA shoot client: always', () => {
    const netmap = clientNetmap(parseClientSettings(C1));
    assert.deepEqual(
      { ...netmap, shootNetworks: asText(netmap.shootNetworks) },
      { overlap: false, apply: true, shootNetworks: C1_PAIRS, seedPodNetwork: undefined },
    );
  });

  it('HA shoot client: only on overlap', () => {
    assert.deepEqual(clientNetmap(parseClientSettings(C2)), { overlap: false, apply: false, shootNetworks: [], seedPodNetwork: undefined });
    const overlapping = clientNetmap(parseClientSettings({ ...C2, SEED_POD_NETWORK: '100.96.0.0/11' }));
    assert.equal(overlapping.overlap, true);
    assert.equal(overlapping.apply, true);
    assert.deepEqual(asText(overlapping.shootNetworks), C1_PAIRS);
    assert.equal(overlapping.seedPodNetwork, undefined);
  });

  it('seed client: only on overlap, with its own pod network into 241/8', () => {
    assert.equal(clientNetmap(parseClientSettings(C3)).apply, false);
    const overlapping = clientNetmap(parseClientSettings({ ...C3, SEED_POD_NETWORK: '10.250.0.0/16' }));
    assert.equal(overlapping.apply, true);
    assert.deepEqual(asText(overlapping.shootNetworks), C1_PAIRS);
    assert.deepEqual(asText(overlapping.seedPodNetwork ? [overlapping.seedPodNetwork] : []), [
      { orig: '10.250.0.0/16', mapped: '241.0.0.0/8' },
    ]);
  });

  it('never without IPv4 in IP_FAMILIES', () => {
    const ipv6Only = clientNetmap(parseClientSettings({ ...C1, IP_FAMILIES: 'IPv6' }));
    assert.equal(ipv6Only.apply, false);
    assert.deepEqual(ipv6Only.shootNetworks, []);
  });

  it('names the list that does not fit its /8', () => {
    expectInputError(
      () => clientNetmap(parseClientSettings({ ...C1, SHOOT_POD_NETWORKS: '10.0.0.0/8,11.0.0.0/8' })),
      'SHOOT_POD_NETWORKS',
      '244.0.0.0/8',
    );
  });
});
