import { strict as assert } from 'node:assert';
import { renderClientConfig } from '../../src/openvpn/client-config';
import type { ClientConfigValues } from '../../src/openvpn/values';
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

# reconnect at once: the connect relay paces the attempts through the ingress
connect-retry 0 5
# restart when the server stays silent for 10 s (the relay holds the connection while it retries)
server-poll-timeout 10

auth SHA256
tls-auth "/srv/secrets/tlsauth/vpn.tlsauth" 1

# https://openvpn.net/index.php/open-source/documentation/howto.html#mitm
remote-cert-tls server
proto tcp4-client
key /srv/secrets/vpn-client/tls.key
cert /srv/secrets/vpn-client/tls.crt
ca /srv/secrets/vpn-client/ca.crt
management 127.0.0.1 7505

dev tun0
# vpn-shoot-client connect-relay makes the HTTP CONNECT through ENDPOINT:OPENVPN_PORT
remote 127.0.0.1 9505
script-security 2
up "/bin/sh -c '/sbin/ip route replace 241.0.0.0/8 dev $1' -- "
`;

const C1_UP = `script-security 2\nup "/bin/sh -c '/sbin/ip route replace 241.0.0.0/8 dev $1' -- "\n`;
const C1_KEYS = 'key /srv/secrets/vpn-client/tls.key\ncert /srv/secrets/vpn-client/tls.crt\nca /srv/secrets/vpn-client/ca.crt\n';
const C1_RETRY =
  '# reconnect at once: the connect relay paces the attempts through the ingress\nconnect-retry 0 5\n' +
  '# restart when the server stays silent for 10 s (the relay holds the connection while it retries)\nserver-poll-timeout 10\n';
const C1_RELAY = '# vpn-shoot-client connect-relay makes the HTTP CONNECT through ENDPOINT:OPENVPN_PORT\nremote 127.0.0.1 9505\n';

/** C1 with parts replaced, each `from` occurring exactly once. */
function c1With(replacements: Array<[from: string, to: string]>): string {
  return replacements.reduce((text, [from, to]) => {
    assert.equal(text.split(from).length, 2, `"${from}" occurs once in C1`);
    return text.replace(from, to);
  }, C1);
}

describe('openvpn client config', () => {
  it('renders C1 (non-HA IPv4 shoot client through the connect relay) byte for byte, ending with a newline', () => {
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
      relayPort: 9506,
    });
    const expected = c1With([
      ['tcp-nodelay\n', 'tcp-nodelay\ntun-mtu 8800\n'],
      [C1_KEYS, C1_KEYS.replaceAll('/vpn-client/', '/vpn-client-1/')],
      ['management 127.0.0.1 7505', 'management 127.0.0.1 7506'],
      ['remote 127.0.0.1 9505', 'remote 127.0.0.1 9506'],
      ['dev tun0\n', 'dev tap1\npersist-tun\n'],
      [C1_UP, ''],
    ]);
    assert.equal(renderClientConfig(v), expected);
  });

  it('renders C3 (HA seed client of server 0) as the reference (direct, retry every second, no up hook), with management', () => {
    const v = c1Values({ device: 'tap0', isShootClient: false, isHA: true, endpoint: 'vpn-seed-server-0' });
    const expected = c1With([
      [C1_RETRY, '# retry every second, increase retry timeout to max 5\nconnect-retry 1 5\n'],
      [`dev tun0\n${C1_RELAY}`, 'dev tap0\npersist-tun\nremote vpn-seed-server-0\n'],
      [C1_UP, ''],
    ]);
    assert.equal(renderClientConfig(v), expected);
  });

  it('renders C4 (dual-stack shoot) with proto tcp4-client: the relay listens on 127.0.0.1', () => {
    assert.equal(renderClientConfig(c1Values({ ipFamilies: ['IPv4', 'IPv6'] })), C1);
  });

  it("renders seed clients' proto by IP_FAMILIES", () => {
    const proto = (ipFamilies: ClientConfigValues['ipFamilies']): string | undefined =>
      renderClientConfig(c1Values({ isShootClient: false, ipFamilies }))
        .split('\n')
        .find((l) => l.startsWith('proto '));
    assert.deepEqual(
      [proto(['IPv4']), proto(['IPv4', 'IPv6']), proto(['IPv6'])],
      ['proto tcp4-client', 'proto tcp-client', 'proto tcp6-client'],
    );
  });

  it('renders C5 (IPv6-only shoot, IPv6 seed pod network routed unmapped)', () => {
    const expected = c1With([['replace 241.0.0.0/8 dev', 'replace fd00:10::/64 dev']]);
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

  it("keeps the ingress settings out of OpenVPN's config (the relay has no option line limit)", () => {
    const text = renderClientConfig(c1Values({ reversedVpnHeader: `outbound|1194||${'x'.repeat(240)}` }));
    assert.doesNotMatch(text, /api\.bar\.foo|8132|Reversed-VPN|outbound/);
  });

  it('refuses a line too long for OpenVPN, naming it', () => {
    assert.throws(
      () => renderClientConfig(c1Values({ isShootClient: false, endpoint: 'x'.repeat(260) })),
      /^Error: openvpn client config line \d+ is 267 bytes, OpenVPN accepts at most 254: remote x/,
    );
  });
});
