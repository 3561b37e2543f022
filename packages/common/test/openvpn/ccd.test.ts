import { strict as assert } from 'node:assert';
import { haShootClientCcdName, renderHaShootClientCcd, renderShootClientCcd } from '../../src/openvpn/ccd';
import { S4_SHOOT_NETWORKS, s1Values, s2Values } from './fixtures';

describe('openvpn ccd files', () => {
  it('vpn-shoot-client: iroute with dotted masks, leading and trailing newline (S1, S2)', () => {
    assert.equal(
      renderShootClientCcd(s1Values()),
      '\niroute 242.0.0.0 255.0.0.0\niroute 243.0.0.0 255.0.0.0\niroute 244.0.0.0 255.0.0.0\n',
    );
    assert.equal(
      renderShootClientCcd(s2Values()),
      '\niroute 10.250.0.0 255.255.0.0\niroute 100.64.0.0 255.248.0.0\niroute 100.96.0.0 255.224.0.0\n',
    );
  });

  it('vpn-shoot-client: iroute-ipv6 lines (S4)', () => {
    assert.equal(
      renderShootClientCcd(s1Values({ shootNetworks: S4_SHOOT_NETWORKS })),
      '\niroute-ipv6 2001:db8:1::/108\niroute-ipv6 2001:db8:2::/64\niroute-ipv6 2001:db8:3::/64\n',
    );
  });

  it('vpn-shoot-client: IPv4 lines first, then IPv6, each in the given order (S5)', () => {
    const v = s1Values({ shootNetworks: [...S4_SHOOT_NETWORKS, '242.0.0.0/8', '243.0.0.0/8', '244.0.0.0/24'] });
    assert.equal(
      renderShootClientCcd(v),
      '\niroute 242.0.0.0 255.0.0.0\niroute 243.0.0.0 255.0.0.0\niroute 244.0.0.0 255.255.255.0\n' +
        'iroute-ipv6 2001:db8:1::/108\niroute-ipv6 2001:db8:2::/64\niroute-ipv6 2001:db8:3::/64\n',
    );
  });

  it('vpn-shoot-client: just a newline without networks', () => {
    assert.equal(renderShootClientCcd(s1Values({ shootNetworks: [] })), '\n');
  });

  it('vpn-shoot-client-<k>: the fixed address …::10s:b0k/112 with the server as gateway', () => {
    assert.equal(haShootClientCcdName(1), 'vpn-shoot-client-1');
    assert.equal(renderHaShootClientCcd(s2Values(), 0), 'ifconfig-ipv6-push fd8f:6d53:b97a:1::101:b00/112 fd8f:6d53:b97a:1::101:1\n');
    assert.equal(renderHaShootClientCcd(s2Values(), 1), 'ifconfig-ipv6-push fd8f:6d53:b97a:1::101:b01/112 fd8f:6d53:b97a:1::101:1\n');
    const server0 = { ...s2Values(), vpnIndex: 0, openvpnNetwork: 'fd8f:6d53:b97a:1::100:0/112' };
    assert.equal(renderHaShootClientCcd(server0, 1), 'ifconfig-ipv6-push fd8f:6d53:b97a:1::100:b01/112 fd8f:6d53:b97a:1::100:1\n');
  });

  it('vpn-shoot-client-<k>: refuses a non-HA server and an index outside 0..HA_VPN_CLIENTS-1', () => {
    assert.throws(() => renderHaShootClientCcd(s1Values(), 0), /only on HA servers/);
    assert.throws(() => renderHaShootClientCcd(s2Values(), 2), /must be 0\.\.1, got 2/);
    assert.throws(() => renderHaShootClientCcd(s2Values(), -1), /must be 0\.\.1, got -1/);
    assert.throws(() => renderHaShootClientCcd({ ...s2Values(), haVpnClients: 300 }, 256), /must be 0\.\.255, got 256/);
  });
});
