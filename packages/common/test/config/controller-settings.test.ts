import { strict as assert } from 'node:assert';
import { parsePathControllerSettings } from '../../src/config/path-controller-settings';
import { parseTunnelControllerSettings } from '../../src/config/tunnel-controller-settings';
import { expectInputError } from './expect-input-error';

type Case = { name: string; env: NodeJS.ProcessEnv; variable: string; fragments: string[] };

describe('config: path controller settings (as gardener/vpn2 pkg/config/pathcontroller.go)', () => {
  const BASE = { POD_IP: '10.96.3.7', HA_VPN_CLIENTS: '2' };

  it('works without HA_VPN_SERVERS and BONDING_MODE, with the server defaults for shoot networks', () => {
    const s = parsePathControllerSettings(BASE);
    assert.equal(s.podIp.toString(), '10.96.3.7');
    assert.equal(s.haVpnClients, 2);
    assert.equal(s.haVpnServers, undefined);
    assert.equal(s.bondingMode, 'active-backup');
    assert.equal(s.vpnNetwork.toString(), 'fd8f:6d53:b97a:1::/96');
    assert.deepEqual(s.shootNetworks.services.map(String), ['100.64.0.0/13']);
    assert.deepEqual(s.shootNetworks.pods.map(String), ['100.96.0.0/11']);
    assert.deepEqual(s.shootNetworks.nodes, []);
    assert.equal(s.seedPodNetwork, undefined);
    assert.equal(s.metricsPort, 15002);
  });

  it('reads the optional and overlap-related variables', () => {
    const s = parsePathControllerSettings({
      ...BASE,
      HA_VPN_SERVERS: '3',
      BONDING_MODE: 'balance-rr',
      SEED_POD_NETWORK: '100.96.0.0/11',
      SHOOT_NODE_NETWORKS: '10.250.0.0/16',
      IP_FAMILIES: 'IPv4,IPv6,IPv4',
      POD_IP: 'fd00:10::7',
      METRICS_PORT: '9102',
    });
    assert.equal(s.haVpnServers, 3);
    assert.equal(s.bondingMode, 'balance-rr');
    assert.equal(s.seedPodNetwork?.toString(), '100.96.0.0/11');
    assert.equal(s.podIp.toString(), 'fd00:10::7');
    assert.equal(s.metricsPort, 9102);
    assert.equal(parsePathControllerSettings({ POD_IP: '10.0.0.1' }).haVpnClients, 0);
  });

  const cases: Case[] = [
    { name: 'POD_IP unset', env: { HA_VPN_CLIENTS: '2' }, variable: 'POD_IP', fragments: ['must be set'] },
    { name: 'POD_IP invalid', env: { ...BASE, POD_IP: '10.96.3' }, variable: 'POD_IP', fragments: ['"10.96.3"'] },
    { name: 'VPN network /112', env: { ...BASE, VPN_NETWORK: 'fd8f:6d53:b97a:1::/112' }, variable: 'VPN_NETWORK', fragments: ['/96'] },
    { name: 'HA_VPN_CLIENTS not an int', env: { ...BASE, HA_VPN_CLIENTS: '2.0' }, variable: 'HA_VPN_CLIENTS', fragments: ['"2.0"'] },
    { name: 'HA_VPN_CLIENTS negative', env: { ...BASE, HA_VPN_CLIENTS: '-2' }, variable: 'HA_VPN_CLIENTS', fragments: ['-2'] },
    {
      name: 'HA_VPN_CLIENTS too many',
      env: { ...BASE, HA_VPN_CLIENTS: '300' },
      variable: 'HA_VPN_CLIENTS',
      fragments: ['at most 256', '300'],
    },
    { name: 'HA_VPN_SERVERS negative', env: { ...BASE, HA_VPN_SERVERS: '-2' }, variable: 'HA_VPN_SERVERS', fragments: ['"-2"'] },
    {
      name: 'BONDING_MODE invalid',
      env: { ...BASE, BONDING_MODE: 'active_backup' },
      variable: 'BONDING_MODE',
      fragments: ['"active_backup"'],
    },
    { name: 'services', env: { ...BASE, SHOOT_SERVICE_NETWORKS: 'x' }, variable: 'SHOOT_SERVICE_NETWORKS', fragments: ['"x"'] },
    { name: 'pods', env: { ...BASE, SHOOT_POD_NETWORKS: 'x' }, variable: 'SHOOT_POD_NETWORKS', fragments: ['"x"'] },
    { name: 'nodes', env: { ...BASE, SHOOT_NODE_NETWORKS: 'x' }, variable: 'SHOOT_NODE_NETWORKS', fragments: ['"x"'] },
    { name: 'seed pod network', env: { ...BASE, SEED_POD_NETWORK: 'x' }, variable: 'SEED_POD_NETWORK', fragments: ['"x"'] },
    { name: 'metrics port 0', env: { ...BASE, METRICS_PORT: '0' }, variable: 'METRICS_PORT', fragments: ['1..65535', '0'] },
    { name: 'metrics port too large', env: { ...BASE, METRICS_PORT: '65536' }, variable: 'METRICS_PORT', fragments: ['65536'] },
  ];
  for (const { name, env, variable, fragments } of cases) {
    it(`${name} -> ${variable}`, () => expectInputError(() => parsePathControllerSettings(env), variable, ...fragments));
  }
});

describe('config: tunnel controller settings (as gardener/vpn2 pkg/config/tunnelcontroller.go)', () => {
  it('applies the defaults', () => {
    assert.deepEqual(
      { ...parseTunnelControllerSettings({}), vpnNetwork: undefined },
      {
        haVpnClients: 2,
        watchdog: { windowSize: 20, threshold: 10, cooldown: 20 },
        vpnNetwork: undefined,
        seedPodNetwork: undefined,
        shootNetworks: { services: [], pods: [], nodes: [] },
        endpoint: undefined,
      },
    );
    assert.equal(parseTunnelControllerSettings({}).vpnNetwork.toString(), 'fd8f:6d53:b97a:1::/96');
  });

  it('reads the watchdog and the optional seed pod network', () => {
    const s = parseTunnelControllerSettings({
      HA_VPN_CLIENTS: '3',
      WATCHDOG_WINDOW_SIZE: '5',
      WATCHDOG_THRESHOLD: '5',
      WATCHDOG_COOLDOWN: '1',
      SEED_POD_NETWORK: '10.96.0.0/11',
    });
    assert.equal(s.haVpnClients, 3);
    assert.deepEqual(s.watchdog, { windowSize: 5, threshold: 5, cooldown: 1 });
    assert.equal(s.seedPodNetwork?.toString(), '10.96.0.0/11');
  });

  it('reads the optional shoot networks and ENDPOINT, which Gardener does not give this container', () => {
    const s = parseTunnelControllerSettings({ SHOOT_POD_NETWORKS: '100.96.0.0/11,fd00:96::/64', ENDPOINT: 'api.shoot.example' });
    assert.deepEqual(s.shootNetworks.pods.map(String), ['100.96.0.0/11', 'fd00:96::/64']);
    assert.deepEqual(s.shootNetworks.services, []);
    assert.equal(s.endpoint, 'api.shoot.example');
  });

  const cases: Case[] = [
    { name: 'HA_VPN_CLIENTS not an int', env: { HA_VPN_CLIENTS: 'x' }, variable: 'HA_VPN_CLIENTS', fragments: ['"x"'] },
    { name: 'window 0', env: { WATCHDOG_WINDOW_SIZE: '0' }, variable: 'WATCHDOG_WINDOW_SIZE', fragments: ['got 0'] },
    { name: 'window not an int', env: { WATCHDOG_WINDOW_SIZE: 'big' }, variable: 'WATCHDOG_WINDOW_SIZE', fragments: ['"big"'] },
    { name: 'threshold negative', env: { WATCHDOG_THRESHOLD: '-1' }, variable: 'WATCHDOG_THRESHOLD', fragments: ['got -1'] },
    {
      name: 'threshold above window',
      env: { WATCHDOG_THRESHOLD: '21' },
      variable: 'WATCHDOG_THRESHOLD',
      fragments: ['WATCHDOG_WINDOW_SIZE (20)', 'got 21'],
    },
    { name: 'cooldown 0', env: { WATCHDOG_COOLDOWN: '0' }, variable: 'WATCHDOG_COOLDOWN', fragments: ['got 0'] },
    { name: 'VPN network IPv4', env: { VPN_NETWORK: '10.0.0.0/8' }, variable: 'VPN_NETWORK', fragments: ['10.0.0.0/8'] },
    {
      name: 'seed pod network list',
      env: { SEED_POD_NETWORK: '10.0.0.0/8,11.0.0.0/8' },
      variable: 'SEED_POD_NETWORK',
      fragments: ['list'],
    },
    {
      name: 'shoot network not a CIDR',
      env: { SHOOT_NODE_NETWORKS: '10.250.0.0/16,x' },
      variable: 'SHOOT_NODE_NETWORKS',
      fragments: ['"x"'],
    },
  ];
  for (const { name, env, variable, fragments } of cases) {
    it(`${name} -> ${variable}`, () => expectInputError(() => parseTunnelControllerSettings(env), variable, ...fragments));
  }
});
