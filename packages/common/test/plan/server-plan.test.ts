import { strict as assert } from 'node:assert';
import { parseServerSettings } from '../../src/config/server-settings';
import type { NetmapEntry } from '../../src/net/netmap';
import { HA_MAX_ROUTES_PER_CLIENT, HA_SEED_CLIENT_CONNECTIONS, serverConfigValues, serverNetmapPairs } from '../../src/plan/server-plan';
import { expectInputError } from '../config/expect-input-error';
import { s1Values, s2Values } from '../openvpn/fixtures';

const RUNTIME = { secretsDir: '/srv/secrets', clientConfigDir: '/client-config-dir', hookCommand: '/bin/vpn-server', tunMtu: 0 };
const IPV4_NETWORKS = {
  OPENVPN_STATUS_PATH: '/srv/status/openvpn.status',
  SHOOT_SERVICE_NETWORKS: '100.64.0.0/13',
  SHOOT_POD_NETWORKS: '100.96.0.0/11',
  SHOOT_NODE_NETWORKS: '10.250.0.0/16',
};
const S1 = { ...IPV4_NETWORKS, POD_NAME: 'vpn-seed-server-7d9f8c6b5-x2x4z', SEED_POD_NETWORK: '10.96.0.0/11' };
const S2 = { ...IPV4_NETWORKS, IS_HA: 'true', POD_NAME: 'vpn-seed-server-1', HA_VPN_CLIENTS: '2', SEED_POD_NETWORK: '10.96.0.0/11' };
const S3 = { ...S2, POD_NAME: 'vpn-seed-server-0', SEED_POD_NETWORK: '100.96.0.0/11' };
const S4 = {
  OPENVPN_STATUS_PATH: '/srv/status/openvpn.status',
  SHOOT_SERVICE_NETWORKS: '2001:db8:1::/108',
  SHOOT_POD_NETWORKS: '2001:db8:2::/64',
  SHOOT_NODE_NETWORKS: '2001:db8:3::/64',
  SEED_POD_NETWORK: 'fd00:10::/64',
};
const S5 = {
  OPENVPN_STATUS_PATH: '/srv/status/openvpn.status',
  SHOOT_SERVICE_NETWORKS: '100.64.0.0/13,2001:db8:1::/108',
  SHOOT_POD_NETWORKS: '100.96.0.0/11,2001:db8:2::/64',
  SHOOT_NODE_NETWORKS: '10.250.0.0/16,2001:db8:3::/64',
  SEED_POD_NETWORK: '10.96.0.0/11',
  OPENVPN_AUTO_MTU: 'true',
};

describe('plan: server config values (reference BuildValues)', () => {
  it('S1: non-HA IPv4, always netmapped', () => {
    assert.deepEqual(serverConfigValues(parseServerSettings(S1), RUNTIME), s1Values());
  });

  it('S2: HA server 1 without overlap keeps the real networks, string-sorted, and routes none of them into the tap', () => {
    assert.deepEqual(serverConfigValues(parseServerSettings(S2), RUNTIME), s2Values());
  });

  it('HA bounds: a few MAC routes per client, and the shoot clients plus 32 connections', () => {
    const v = serverConfigValues(
      parseServerSettings({ ...S2, HA_VPN_CLIENTS: '3', SHOOT_POD_NETWORKS: '100.96.0.0/11,fd00:96::/48' }),
      RUNTIME,
    );
    assert.equal(v.maxRoutesPerClient, HA_MAX_ROUTES_PER_CLIENT);
    assert.equal(v.maxClients, 3 + HA_SEED_CLIENT_CONNECTIONS);
    assert.deepEqual(v.upHookRoutes, []);
  });

  it('S3: HA server 0 with overlap netmaps', () => {
    const v = serverConfigValues(parseServerSettings(S3), RUNTIME);
    assert.equal(v.openvpnNetwork, 'fd8f:6d53:b97a:1::100:0/112');
    assert.equal(v.vpnIndex, 0);
    assert.deepEqual(v.shootNetworks, ['242.0.0.0/8', '243.0.0.0/8', '244.0.0.0/8']);
    assert.deepEqual(v.upHookRoutes, []);
  });

  it('S4: non-HA IPv6-only keeps the IPv6 networks', () => {
    const v = serverConfigValues(parseServerSettings(S4), RUNTIME);
    assert.deepEqual(v.shootNetworks, ['2001:db8:1::/108', '2001:db8:2::/64', '2001:db8:3::/64']);
    assert.equal(v.seedPodNetwork, 'fd00:10::/64');
    assert.equal(v.maxRoutesPerClient, 1048576);
  });

  it('S5: dual-stack sorts IPv6 first (plain string order) and passes the MTU through', () => {
    const v = serverConfigValues(parseServerSettings(S5), { ...RUNTIME, tunMtu: 8800 });
    assert.deepEqual(v.shootNetworks, [
      '2001:db8:1::/108',
      '2001:db8:2::/64',
      '2001:db8:3::/64',
      '242.0.0.0/8',
      '243.0.0.0/8',
      '244.0.0.0/8',
    ]);
    assert.equal(v.tunMtu, 8800);
  });

  it('collapses several IPv4 networks of a kind into one /8 and de-duplicates', () => {
    const settings = parseServerSettings({ ...S1, SHOOT_POD_NETWORKS: '100.96.0.0/11,100.128.0.0/11', SHOOT_NODE_NETWORKS: '' });
    assert.deepEqual(serverConfigValues(settings, RUNTIME).shootNetworks, ['243.0.0.0/8', '244.0.0.0/8']);
    const duplicates = parseServerSettings({ ...S2, SHOOT_POD_NETWORKS: '100.96.0.0/11,100.97.0.0/11' });
    assert.deepEqual(serverConfigValues(duplicates, RUNTIME).shootNetworks, ['10.250.0.0/16', '100.64.0.0/13', '100.96.0.0/11']);
  });

  it('no seed pod network: empty text, and HA does not netmap', () => {
    const v = serverConfigValues(parseServerSettings({ ...S2, SEED_POD_NETWORK: '' }), RUNTIME);
    assert.equal(v.seedPodNetwork, '');
    assert.deepEqual(v.shootNetworks, ['10.250.0.0/16', '100.64.0.0/13', '100.96.0.0/11']);
  });

  it('max routes: small networks clamp to 256', () => {
    const settings = parseServerSettings({
      ...S1,
      SHOOT_SERVICE_NETWORKS: '10.0.0.0/30',
      SHOOT_POD_NETWORKS: '10.0.1.0/24',
      SHOOT_NODE_NETWORKS: '',
    });
    assert.equal(serverConfigValues(settings, RUNTIME).maxRoutesPerClient, 256);
  });
});

const asText = (entries: NetmapEntry[]) => entries.map((e) => ({ orig: e.source.toString(), mapped: e.mapped.toString() }));

describe('plan: server NETMAP pairs (root command, nat OUTPUT)', () => {
  it('S1: one pair per IPv4 shoot network', () => {
    assert.deepEqual(asText(serverNetmapPairs(parseServerSettings(S1))), [
      { orig: '100.96.0.0/11', mapped: '244.0.0.0/11' },
      { orig: '100.64.0.0/13', mapped: '243.0.0.0/13' },
      { orig: '10.250.0.0/16', mapped: '242.0.0.0/16' },
    ]);
  });

  it('S5: IPv6 networks are not netmapped', () => {
    assert.equal(serverNetmapPairs(parseServerSettings(S5)).length, 3);
  });

  it('HA: none, even on overlap', () => {
    assert.deepEqual(asText(serverNetmapPairs(parseServerSettings(S3))), []);
  });

  it('names the list that does not fit its /8', () => {
    expectInputError(
      () => serverNetmapPairs(parseServerSettings({ ...S1, SHOOT_NODE_NETWORKS: '10.0.0.0/8,11.0.0.0/24' })),
      'SHOOT_NODE_NETWORKS',
      'not enough space in 242.0.0.0/8',
    );
  });
});
