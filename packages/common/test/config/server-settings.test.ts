import { strict as assert } from 'node:assert';
import { parseServerSettings } from '../../src/config/server-settings';
import { expectInputError } from './expect-input-error';

const STATUS = { OPENVPN_STATUS_PATH: '/srv/status/openvpn.status' };
const HA = { ...STATUS, IS_HA: 'true', POD_NAME: 'vpn-seed-server-1', HA_VPN_CLIENTS: '2' };

describe('config: server settings (as gardener/vpn2 pkg/config/vpn-server.go and BuildValues)', () => {
  it('applies the defaults', () => {
    const s = parseServerSettings(STATUS);
    assert.deepEqual(s.shootNetworks.services.map(String), ['100.64.0.0/13']);
    assert.deepEqual(s.shootNetworks.pods.map(String), ['100.96.0.0/11']);
    assert.deepEqual(s.shootNetworks.nodes, []);
    assert.equal(s.vpnNetwork.toString(), 'fd8f:6d53:b97a:1::/96');
    assert.equal(s.seedPodNetwork, undefined);
    assert.equal(s.openvpnStatusPath, '/srv/status/openvpn.status');
    assert.equal(s.ha, undefined);
    assert.equal(s.autoMtu, false);
  });

  it('treats empty variables as unset', () => {
    const s = parseServerSettings({ ...STATUS, VPN_NETWORK: '', SHOOT_POD_NETWORKS: '', IS_HA: '', SEED_POD_NETWORK: '' });
    assert.equal(s.vpnNetwork.toString(), 'fd8f:6d53:b97a:1::/96');
    assert.deepEqual(s.shootNetworks.pods.map(String), ['100.96.0.0/11']);
  });

  it('parses and normalises the networks', () => {
    const s = parseServerSettings({
      ...STATUS,
      SHOOT_SERVICE_NETWORKS: '100.64.0.0/13,2001:db8:1::/108',
      SHOOT_POD_NETWORKS: '100.97.0.0/11',
      SHOOT_NODE_NETWORKS: '10.250.1.0/16',
      SEED_POD_NETWORK: '10.96.0.0/11',
      VPN_NETWORK: '2001:db8::/96',
      OPENVPN_AUTO_MTU: 'true',
      LOCAL_NODE_IP: 'not checked',
      IP_FAMILIES: 'not read',
    });
    assert.deepEqual(s.shootNetworks.services.map(String), ['100.64.0.0/13', '2001:db8:1::/108']);
    assert.deepEqual(s.shootNetworks.pods.map(String), ['100.96.0.0/11']);
    assert.deepEqual(s.shootNetworks.nodes.map(String), ['10.250.0.0/16']);
    assert.equal(s.seedPodNetwork?.toString(), '10.96.0.0/11');
    assert.equal(s.vpnNetwork.toString(), '2001:db8::/96');
    assert.equal(s.autoMtu, true);
  });

  it('takes the HA server index from POD_NAME', () => {
    assert.deepEqual(parseServerSettings(HA).ha, { serverIndex: 1, vpnClients: 2 });
    assert.deepEqual(parseServerSettings({ ...HA, POD_NAME: 'vpn-seed-server-0' }).ha, { serverIndex: 0, vpnClients: 2 });
    assert.deepEqual(parseServerSettings({ ...HA, POD_NAME: 'x-2', HA_VPN_CLIENTS: '3' }).ha, { serverIndex: 2, vpnClients: 3 });
    assert.deepEqual(parseServerSettings({ ...HA, HA_VPN_CLIENTS: '256' }).ha, { serverIndex: 1, vpnClients: 256 });
  });

  it('accepts a non-HA deployment pod name and ignores HA_VPN_CLIENTS there', () => {
    const s = parseServerSettings({ ...STATUS, POD_NAME: 'vpn-seed-server-7d9f8c6b5-x2x4z', HA_VPN_CLIENTS: '-4' });
    assert.equal(s.ha, undefined);
  });

  describe('names the variable at fault', () => {
    const cases: { name: string; env: NodeJS.ProcessEnv; variable: string; fragments: string[] }[] = [
      {
        name: 'bad service list',
        env: { ...STATUS, SHOOT_SERVICE_NETWORKS: '100.64.0.0/13,x' },
        variable: 'SHOOT_SERVICE_NETWORKS',
        fragments: ['"x"'],
      },
      {
        name: 'untrimmed pod list',
        env: { ...STATUS, SHOOT_POD_NETWORKS: '100.96.0.0/11, 100.97.0.0/11' },
        variable: 'SHOOT_POD_NETWORKS',
        fragments: ['invalid CIDR " 100.97.0.0/11" (lists are split on "," without trimming)'],
      },
      {
        name: 'bad node list',
        env: { ...STATUS, SHOOT_NODE_NETWORKS: '10.250.0.0/33' },
        variable: 'SHOOT_NODE_NETWORKS',
        fragments: ['"10.250.0.0/33"'],
      },
      { name: 'unparsable VPN network', env: { ...STATUS, VPN_NETWORK: 'fd8f::/9x' }, variable: 'VPN_NETWORK', fragments: ['"fd8f::/9x"'] },
      {
        name: 'IPv4 VPN network',
        env: { ...STATUS, VPN_NETWORK: '192.168.123.0/24' },
        variable: 'VPN_NETWORK',
        fragments: ['IPv6', '192.168.123.0/24'],
      },
      {
        name: 'VPN network not /96',
        env: { ...STATUS, VPN_NETWORK: 'fd8f:6d53:b97a:1::/120' },
        variable: 'VPN_NETWORK',
        fragments: ['/96', 'fd8f:6d53:b97a:1::/120'],
      },
      {
        name: 'seed pod network list',
        env: { ...STATUS, SEED_POD_NETWORK: '10.96.0.0/11,10.128.0.0/11' },
        variable: 'SEED_POD_NETWORK',
        fragments: ['10.96.0.0/11,10.128.0.0/11'],
      },
      {
        name: 'bad seed pod network',
        env: { ...STATUS, SEED_POD_NETWORK: '10.96.0.0' },
        variable: 'SEED_POD_NETWORK',
        fragments: ['"10.96.0.0"'],
      },
      { name: 'status path unset', env: {}, variable: 'OPENVPN_STATUS_PATH', fragments: ['must be set'] },
      { name: 'status path empty', env: { OPENVPN_STATUS_PATH: '' }, variable: 'OPENVPN_STATUS_PATH', fragments: ['must be set'] },
      { name: 'IS_HA not a bool', env: { ...STATUS, IS_HA: 'banana' }, variable: 'IS_HA', fragments: ['"banana"'] },
      { name: 'HA_VPN_CLIENTS not an int', env: { ...STATUS, HA_VPN_CLIENTS: 'two' }, variable: 'HA_VPN_CLIENTS', fragments: ['"two"'] },
      {
        name: 'OPENVPN_AUTO_MTU not a bool',
        env: { ...STATUS, OPENVPN_AUTO_MTU: 'yes' },
        variable: 'OPENVPN_AUTO_MTU',
        fragments: ['"yes"'],
      },
      { name: 'IS_HA without POD_NAME', env: { ...HA, POD_NAME: '' }, variable: 'IS_HA', fragments: ['POD_NAME is not set'] },
      {
        name: 'IS_HA with HA_VPN_CLIENTS beyond the address plan',
        env: { ...HA, HA_VPN_CLIENTS: '1000' },
        variable: 'HA_VPN_CLIENTS',
        fragments: ['at most 256'],
      },
      { name: 'IS_HA without HA_VPN_CLIENTS', env: { ...HA, HA_VPN_CLIENTS: '' }, variable: 'HA_VPN_CLIENTS', fragments: ['got 0'] },
      {
        name: 'IS_HA with negative HA_VPN_CLIENTS',
        env: { ...HA, HA_VPN_CLIENTS: '-1' },
        variable: 'HA_VPN_CLIENTS',
        fragments: ['got -1'],
      },
      {
        name: 'IS_HA with a non-HA pod name',
        env: { ...HA, POD_NAME: 'vpn-seed-server-7d9f8c6b5-x2x4z' },
        variable: 'IS_HA',
        fragments: ['"vpn-seed-server-7d9f8c6b5-x2x4z"'],
      },
      { name: 'IS_HA with index 3', env: { ...HA, POD_NAME: 'vpn-seed-server-3' }, variable: 'IS_HA', fragments: ['"vpn-seed-server-3"'] },
      {
        name: 'non-HA with an HA pod name',
        env: { ...STATUS, POD_NAME: 'vpn-seed-server-0' },
        variable: 'IS_HA',
        fragments: ['is false', '"vpn-seed-server-0"'],
      },
    ];
    for (const { name, env, variable, fragments } of cases) {
      it(`${name} -> ${variable}`, () => expectInputError(() => parseServerSettings(env), variable, ...fragments));
    }
  });
});
