import { strict as assert } from 'node:assert';
import { renderClientConfig } from '../../src/openvpn/client-config';
import { c1Values } from './fixtures';

const C1 = `verb 3

# don't cache authorization information in memory
auth-nocache

# Additional optimizations
txqueuelen 1000
tcp-nodelay

# get all routing information from server
pull
data-ciphers AES-256-GCM
tls-client

# retry every second, increase retry timeout to max 5
connect-retry 1 5

auth SHA256
tls-auth "/srv/secrets/tlsauth/vpn.tlsauth" 1

# https://openvpn.net/index.php/open-source/documentation/howto.html#mitm
remote-cert-tls server
proto tcp4-client
key /srv/secrets/vpn-client/tls.key
cert /srv/secrets/vpn-client/tls.crt
ca /srv/secrets/vpn-client/ca.crt
http-proxy api.bar.foo.example.com 8132
http-proxy-option CUSTOM-HEADER Reversed-VPN outbound|1194||vpn-seed-server.shoot--foo--bar.svc.cluster.local
management 127.0.0.1 7505

dev tun0
remote api.bar.foo.example.com
script-security 2
up "/bin/sh -c '/sbin/ip route replace 241.0.0.0/8 dev $1' -- "
`;

const C1_UP = `script-security 2\nup "/bin/sh -c '/sbin/ip route replace 241.0.0.0/8 dev $1' -- "\n`;
const C1_KEYS =
  'key /srv/secrets/vpn-client/tls.key\ncert /srv/secrets/vpn-client/tls.crt\nca /srv/secrets/vpn-client/ca.crt\n';
const C1_PROXY =
  'http-proxy api.bar.foo.example.com 8132\n' +
  'http-proxy-option CUSTOM-HEADER Reversed-VPN outbound|1194||vpn-seed-server.shoot--foo--bar.svc.cluster.local\n' +
  'management 127.0.0.1 7505\n';

/** C1 with parts replaced, each `from` occurring exactly once. */
function c1With(replacements: Array<[from: string, to: string]>): string {
  return replacements.reduce((text, [from, to]) => {
    assert.equal(text.split(from).length, 2, `"${from}" occurs once in C1`);
    return text.replace(from, to);
  }, C1);
}

describe('openvpn client config', () => {
  it('renders C1 (non-HA IPv4 shoot client) byte for byte, ending with a newline', () => {
    assert.equal(renderClientConfig(c1Values()), C1);
  });

  it('renders C2 (HA shoot client 1, MTU 8800) with persist-tun and without an up hook', () => {
    const v = c1Values({
      device: 'tap1',
      tunMtu: 8800,
      isHA: true,
      clientIndex: 1,
      reversedVpnHeader: 'outbound|1194||vpn-seed-server-1.shoot--foo--bar.svc.cluster.local',
      managementPort: 7506,
    });
    const expected = c1With([
      ['tcp-nodelay\n', 'tcp-nodelay\ntun-mtu 8800\n'],
      [C1_KEYS, C1_KEYS.replaceAll('/vpn-client/', '/vpn-client-1/')],
      ['vpn-seed-server.shoot', 'vpn-seed-server-1.shoot'],
      ['management 127.0.0.1 7505', 'management 127.0.0.1 7506'],
      ['dev tun0\n', 'dev tap1\npersist-tun\n'],
      [C1_UP, ''],
    ]);
    assert.equal(renderClientConfig(v), expected);
  });

  it('renders C3 (HA seed client of server 0) with management but without proxy and up hook', () => {
    const v = c1Values({ device: 'tap0', isShootClient: false, isHA: true, endpoint: 'vpn-seed-server-0' });
    const expected = c1With([
      [C1_PROXY, 'management 127.0.0.1 7505\n'],
      ['dev tun0\nremote api.bar.foo.example.com\n', 'dev tap0\npersist-tun\nremote vpn-seed-server-0\n'],
      [C1_UP, ''],
    ]);
    assert.equal(renderClientConfig(v), expected);
  });

  it('renders C4 (dual-stack shoot) with proto tcp-client', () => {
    const expected = c1With([['proto tcp4-client', 'proto tcp-client']]);
    assert.equal(renderClientConfig(c1Values({ ipFamilies: ['IPv4', 'IPv6'] })), expected);
  });

  it('renders C5 (IPv6-only shoot, IPv6 seed pod network routed unmapped)', () => {
    const expected = c1With([
      ['proto tcp4-client', 'proto tcp6-client'],
      ['replace 241.0.0.0/8 dev', 'replace fd00:10::/64 dev'],
    ]);
    assert.equal(renderClientConfig(c1Values({ ipFamilies: ['IPv6'], seedPodNetwork: 'fd00:10::/64' })), expected);
  });

  it('renders no up hook for a non-HA shoot client without seed pod network (the reference renders a broken one)', () => {
    const text = renderClientConfig(c1Values({ seedPodNetwork: '' }));
    assert.equal(text, c1With([[C1_UP, '']]));
    assert.doesNotMatch(text, /ip route replace {2}dev/);
  });

  it('takes the secrets directory from the values', () => {
    const text = renderClientConfig(c1Values({ secretsDir: '/tmp/s', clientIndex: 2 }));
    for (const line of [
      'tls-auth "/tmp/s/tlsauth/vpn.tlsauth" 1',
      'key /tmp/s/vpn-client-2/tls.key',
      'cert /tmp/s/vpn-client-2/tls.crt',
      'ca /tmp/s/vpn-client-2/ca.crt',
    ]) {
      assert.ok(text.split('\n').includes(line), line);
    }
  });

  it('refuses a reversed-VPN header that makes its line too long for OpenVPN', () => {
    assert.throws(
      () => renderClientConfig(c1Values({ reversedVpnHeader: `outbound|1194||${'x'.repeat(240)}` })),
      /^Error: openvpn client config line 28 is 300 bytes, OpenVPN accepts at most 254: http-proxy-option CUSTOM-HEADER/,
    );
  });
});
