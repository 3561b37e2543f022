import { strict as assert } from 'node:assert';
import { parseClientSettings } from '../../src/config/client-settings';
import { expectInputError } from './expect-input-error';

const HA_SHOOT = {
  IS_HA: 'true',
  IS_SHOOT_CLIENT: 'true',
  POD_NAME: 'vpn-shoot-1',
  HA_VPN_SERVERS: '2',
  HA_VPN_CLIENTS: '2',
  VPN_SERVER_INDEX: '1',
};
const HA_SEED = { IS_HA: 'true', POD_NAME: 'kube-apiserver-7d9f-12345', HA_VPN_SERVERS: '2', HA_VPN_CLIENTS: '2', VPN_SERVER_INDEX: '0' };

describe('config: client settings (as gardener/vpn2 pkg/config/vpn-client.go)', () => {
  it('applies the defaults', () => {
    const s = parseClientSettings({});
    assert.deepEqual(s.ipFamilies, ['IPv4']);
    assert.equal(s.endpoint, '');
    assert.equal(s.openvpnPort, 8132);
    assert.equal(s.vpnNetwork.toString(), 'fd8f:6d53:b97a:1::/96');
    assert.equal(s.seedPodNetwork, undefined);
    assert.deepEqual(s.shootNetworks, { services: [], pods: [], nodes: [] });
    assert.equal(s.isShootClient, false);
    assert.equal(s.vpnServerIndex, undefined);
    assert.equal(s.reversedVpnHeader, 'invalid-host');
    assert.equal(s.reversedVpnHeaderKey, 'Reversed-VPN');
    assert.equal(s.ha, undefined);
    assert.equal(s.clientIndex, -1);
    assert.equal(s.autoMtu, false);
  });

  it('treats empty variables as unset (IP_FAMILIES, WAIT_TIME, POD_LABEL_SELECTOR, VPN_NETWORK)', () => {
    const s = parseClientSettings({ IP_FAMILIES: '', WAIT_TIME: '', POD_LABEL_SELECTOR: '', VPN_NETWORK: '', OPENVPN_PORT: '' });
    assert.deepEqual(s.ipFamilies, ['IPv4']);
    assert.equal(s.vpnNetwork.toString(), 'fd8f:6d53:b97a:1::/96');
    assert.equal(s.openvpnPort, 8132);
  });

  describe('IP_FAMILIES', () => {
    const cases: [string, string[]][] = [
      ['IPv4', ['IPv4']],
      ['IPv6', ['IPv6']],
      ['IPv4,IPv6', ['IPv4', 'IPv6']],
      ['IPv6,IPv4', ['IPv4', 'IPv6']],
      ['IPv4,IPv4', ['IPv4']],
      ['IPv6,IPv6', ['IPv6']],
    ];
    for (const [text, expected] of cases) {
      it(`${text} -> [${expected.join(' ')}]`, () => assert.deepEqual(parseClientSettings({ IP_FAMILIES: text }).ipFamilies, expected));
    }
    it('IPv4,IPv6,IPv4 fails: counted before de-duplication', () =>
      expectInputError(() => parseClientSettings({ IP_FAMILIES: 'IPv4,IPv6,IPv4' }), 'IP_FAMILIES', 'one or two', '"IPv4,IPv6,IPv4"'));
    it('values are case-sensitive and untrimmed', () => {
      expectInputError(() => parseClientSettings({ IP_FAMILIES: 'ipv4' }), 'IP_FAMILIES', 'found "ipv4"');
      expectInputError(() => parseClientSettings({ IP_FAMILIES: 'IPv4, IPv6' }), 'IP_FAMILIES', 'found " IPv6"');
      expectInputError(() => parseClientSettings({ IP_FAMILIES: 'IPv4,' }), 'IP_FAMILIES', 'found ""');
    });
  });

  it('reads a non-HA shoot client', () => {
    const s = parseClientSettings({
      IS_SHOOT_CLIENT: 'true',
      ENDPOINT: 'api.bar.foo.example.com',
      OPENVPN_PORT: '8132',
      REVERSED_VPN_HEADER: 'outbound|1194||vpn-seed-server.shoot--foo--bar.svc.cluster.local',
      SEED_POD_NETWORK: '10.96.0.1/11',
      SHOOT_SERVICE_NETWORKS: '100.64.0.0/13',
      SHOOT_POD_NETWORKS: '100.96.0.0/11',
      SHOOT_NODE_NETWORKS: '10.250.0.0/16',
      POD_NAME: 'vpn-shoot-6f7c79b87f-kpqcl',
      BONDING_MODE: 'not validated without IS_HA',
      NAMESPACE: 'kube-system',
    });
    assert.equal(s.isShootClient, true);
    assert.equal(s.endpoint, 'api.bar.foo.example.com');
    assert.equal(s.seedPodNetwork?.toString(), '10.96.0.0/11');
    assert.deepEqual(s.shootNetworks.nodes.map(String), ['10.250.0.0/16']);
    assert.equal(s.clientIndex, -1);
    assert.equal(s.ha, undefined);
  });

  describe('client index (quirk fix: only HA shoot clients take it from POD_NAME)', () => {
    const cases: { name: string; env: NodeJS.ProcessEnv; index: number }[] = [
      { name: 'HA shoot client vpn-shoot-1', env: HA_SHOOT, index: 1 },
      { name: 'HA shoot client test-pod-2', env: { ...HA_SHOOT, POD_NAME: 'test-pod-2' }, index: 2 },
      { name: 'HA seed client kube-apiserver-7d9f-12345', env: HA_SEED, index: -1 },
      { name: 'non-HA shoot client with a digit suffix', env: { IS_SHOOT_CLIENT: 'true', POD_NAME: 'vpn-shoot-7d9f-12345' }, index: -1 },
      { name: 'non-HA without suffix', env: { POD_NAME: 'test-pod-6f7c79b87f-kpqcl' }, index: -1 },
    ];
    for (const { name, env, index } of cases) {
      it(`${name} -> ${index}`, () => assert.equal(parseClientSettings(env).clientIndex, index));
    }
  });

  it('reads an HA shoot client and an HA seed client', () => {
    const shoot = parseClientSettings(HA_SHOOT);
    assert.deepEqual(shoot.ha, { vpnServers: 2, vpnClients: 2, bondingMode: 'active-backup' });
    assert.equal(shoot.vpnServerIndex, 1);
    const seed = parseClientSettings({ ...HA_SEED, BONDING_MODE: 'balance-rr' });
    assert.deepEqual(seed.ha, { vpnServers: 2, vpnClients: 2, bondingMode: 'balance-rr' });
    assert.equal(seed.vpnServerIndex, 0);
  });

  it('HA passes with both HA_VPN_SERVERS and HA_VPN_CLIENTS unset', () => {
    assert.deepEqual(parseClientSettings({ IS_HA: 'true' }).ha, { vpnServers: 0, vpnClients: 0, bondingMode: 'active-backup' });
  });

  it('accepts WAIT_TIME as a Go duration and ignores it', () => {
    assert.doesNotThrow(() => parseClientSettings({ WAIT_TIME: '1m30s' }));
    assert.doesNotThrow(() => parseClientSettings({ WAIT_TIME: '0' }));
  });

  describe('names the variable at fault', () => {
    const cases: { name: string; env: NodeJS.ProcessEnv; variable: string; fragments: string[] }[] = [
      { name: 'negative port', env: { OPENVPN_PORT: '-1' }, variable: 'OPENVPN_PORT', fragments: ['"-1"'] },
      { name: 'non-numeric port', env: { OPENVPN_PORT: 'http' }, variable: 'OPENVPN_PORT', fragments: ['"http"'] },
      { name: 'port 0', env: { OPENVPN_PORT: '0' }, variable: 'OPENVPN_PORT', fragments: ['got 0'] },
      { name: 'port too large', env: { OPENVPN_PORT: '70000' }, variable: 'OPENVPN_PORT', fragments: ['got 70000'] },
      {
        name: 'VPN network /64',
        env: { VPN_NETWORK: 'fd8f:6d53:b97a:1::/64' },
        variable: 'VPN_NETWORK',
        fragments: ['/96', 'fd8f:6d53:b97a:1::/64'],
      },
      { name: 'IPv4 VPN network', env: { VPN_NETWORK: '192.168.123.0/24' }, variable: 'VPN_NETWORK', fragments: ['192.168.123.0/24'] },
      {
        name: 'seed pod network list',
        env: { SEED_POD_NETWORK: '10.96.0.0/11,fd00::/64' },
        variable: 'SEED_POD_NETWORK',
        fragments: ['10.96.0.0/11,fd00::/64'],
      },
      {
        name: 'bad services',
        env: { SHOOT_SERVICE_NETWORKS: '100.64.0.0/13 ' },
        variable: 'SHOOT_SERVICE_NETWORKS',
        fragments: ['"100.64.0.0/13 "', 'without trimming'],
      },
      { name: 'bad pods', env: { SHOOT_POD_NETWORKS: '100.96.0.0/11,,100.128.0.0/11' }, variable: 'SHOOT_POD_NETWORKS', fragments: ['""'] },
      { name: 'bad nodes', env: { SHOOT_NODE_NETWORKS: '10.250.0.0' }, variable: 'SHOOT_NODE_NETWORKS', fragments: ['"10.250.0.0"'] },
      { name: 'IS_SHOOT_CLIENT not a bool', env: { IS_SHOOT_CLIENT: 'yes' }, variable: 'IS_SHOOT_CLIENT', fragments: ['"yes"'] },
      { name: 'VPN_SERVER_INDEX not numeric', env: { VPN_SERVER_INDEX: 'abc' }, variable: 'VPN_SERVER_INDEX', fragments: ['"abc"'] },
      { name: 'VPN_SERVER_INDEX too large', env: { VPN_SERVER_INDEX: '256' }, variable: 'VPN_SERVER_INDEX', fragments: ['"256"'] },
      { name: 'IS_HA not a bool', env: { IS_HA: 'banana' }, variable: 'IS_HA', fragments: ['"banana"'] },
      { name: 'HA_VPN_CLIENTS negative', env: { HA_VPN_CLIENTS: '-1' }, variable: 'HA_VPN_CLIENTS', fragments: ['"-1"'] },
      { name: 'HA_VPN_SERVERS not numeric', env: { HA_VPN_SERVERS: 'two' }, variable: 'HA_VPN_SERVERS', fragments: ['"two"'] },
      { name: 'WAIT_TIME negative', env: { WAIT_TIME: '-1s' }, variable: 'WAIT_TIME', fragments: ['negative', '"-1s"'] },
      { name: 'WAIT_TIME not a duration', env: { WAIT_TIME: '2' }, variable: 'WAIT_TIME', fragments: ['"2"'] },
      { name: 'OPENVPN_AUTO_MTU not a bool', env: { OPENVPN_AUTO_MTU: 'on' }, variable: 'OPENVPN_AUTO_MTU', fragments: ['"on"'] },
      { name: 'HA shoot client without POD_NAME', env: { ...HA_SHOOT, POD_NAME: '' }, variable: 'POD_NAME', fragments: ['must be set'] },
      {
        name: 'HA shoot client without index suffix',
        env: { ...HA_SHOOT, POD_NAME: 'vpn-shoot-abcde' },
        variable: 'POD_NAME',
        fragments: ['"vpn-shoot-abcde"'],
      },
      {
        name: 'HA servers without clients',
        env: { ...HA_SEED, HA_VPN_CLIENTS: '0' },
        variable: 'HA_VPN_CLIENTS',
        fragments: ['HA_VPN_SERVERS is 2'],
      },
      {
        name: 'HA_VPN_CLIENTS beyond the address plan',
        env: { ...HA_SEED, HA_VPN_CLIENTS: '257' },
        variable: 'HA_VPN_CLIENTS',
        fragments: ['at most 256', '257'],
      },
      {
        name: 'HA clients without servers',
        env: { ...HA_SEED, HA_VPN_SERVERS: '' },
        variable: 'HA_VPN_SERVERS',
        fragments: ['HA_VPN_CLIENTS is 2'],
      },
      {
        name: 'HA bad bonding mode',
        env: { ...HA_SEED, BONDING_MODE: 'broadcast' },
        variable: 'BONDING_MODE',
        fragments: ['"broadcast"', 'active-backup, balance-rr'],
      },
    ];
    for (const { name, env, variable, fragments } of cases) {
      it(`${name} -> ${variable}`, () => expectInputError(() => parseClientSettings(env), variable, ...fragments));
    }
  });

  it('checks in the reference order: HA checks before IP_FAMILIES before WAIT_TIME', () => {
    const env = { ...HA_SEED, HA_VPN_CLIENTS: '0', IP_FAMILIES: 'IPv5', WAIT_TIME: '-1s' };
    expectInputError(() => parseClientSettings(env), 'HA_VPN_CLIENTS');
    expectInputError(() => parseClientSettings({ ...env, HA_VPN_CLIENTS: '2' }), 'IP_FAMILIES');
    expectInputError(() => parseClientSettings({ ...env, HA_VPN_CLIENTS: '2', IP_FAMILIES: '' }), 'WAIT_TIME');
  });
});
