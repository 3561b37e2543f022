import { strict as assert } from 'node:assert';
import { renderServerConfig } from '../../src/openvpn/server-config';
import { S4_SHOOT_NETWORKS, s1Values, s2Values } from './fixtures';

const S1 = `verb 3
mode server
tls-server
topology subnet

# Additional optimizations
txqueuelen 1000
tcp-nodelay

data-ciphers AES-256-GCM:AES-256-CBC

# port can always be 1194 here as it is not visible externally. A different
# port can be configured for the external load balancer in the service
# manifest
port 1194

# send ping every 10 seconds, assume peer is down after 30 seconds without traffic
# this value is pushed to the client, timeout is doubled on the server side, so the client is considered down after 60 seconds without traffic
keepalive 10 30

# max number of routes per client.
max-routes-per-client 1048576

## disabled until https://github.com/OpenVPN/openvpn/issues/1063 is resolved
# routes go stale after 5 minutes, clean up every 10 minutes
# stale-routes-check 300 600

# client-config-dir to push client specific configuration
client-config-dir /client-config-dir

key "/srv/secrets/vpn-server/tls.key"
cert "/srv/secrets/vpn-server/tls.crt"
ca "/srv/secrets/vpn-server/ca.crt"
dh none

auth SHA256
tls-auth "/srv/secrets/tlsauth/vpn.tlsauth" 0

# always listen on both IPv4 & IPv6 via tcp6-server
proto tcp6-server

server-ipv6 fd8f:6d53:b97a:1::/96

dev tun0

script-security 2
up "/bin/vpn-server firewall --mode up --device tun0 --shoot-network=242.0.0.0/8,243.0.0.0/8,244.0.0.0/8 --seed-pod-network=10.96.0.0/11"
down "/bin/vpn-server firewall --mode down --device tun0"

status /srv/status/openvpn.status 15
status-version 2`;

const S1_UP =
  'up "/bin/vpn-server firewall --mode up --device tun0 --shoot-network=242.0.0.0/8,243.0.0.0/8,244.0.0.0/8 --seed-pod-network=10.96.0.0/11"';

/** S1 with whole lines replaced, each `from` occurring exactly once. */
function s1With(replacements: Array<[from: string, to: string]>): string {
  return replacements.reduce((text, [from, to]) => {
    assert.equal(text.split(from).length, 2, `"${from}" occurs once in S1`);
    return text.replace(from, to);
  }, S1);
}

describe('openvpn server config', () => {
  it('renders S1 byte for byte, without a newline after the last line', () => {
    assert.equal(renderServerConfig(s1Values()), S1);
  });

  it('renders S2 (HA) with the IPv6 addressing spelled out, bounded tables and an up hook that routes nothing', () => {
    const expected = s1With([
      [
        'max-routes-per-client 1048576\n',
        '# tap mode: a route is a MAC address learned from the client, one per client tap\nmax-routes-per-client 4\n',
      ],
      [
        'server-ipv6 fd8f:6d53:b97a:1::/96\n',
        [
          '# server-ipv6 spelled out: the pool starts at ::1000, below it shoot clients have fixed addresses',
          'ifconfig-ipv6 fd8f:6d53:b97a:1::101:1/112 fd8f:6d53:b97a:1::101:2',
          'ifconfig-ipv6-pool fd8f:6d53:b97a:1::101:1000/112',
          'push "tun-ipv6"',
          '',
          'client-to-client',
          'duplicate-cn',
          '# the shoot clients and the connections of the kube-apiserver pods',
          'max-clients 34',
          '',
        ].join('\n'),
      ],
      ['dev tun0', 'dev tap0'],
      [S1_UP, 'up "/bin/vpn-server firewall --mode up --device tap0 --seed-pod-network=10.96.0.0/11"'],
      ['down "/bin/vpn-server firewall --mode down --device tun0"', 'down "/bin/vpn-server firewall --mode down --device tap0"'],
    ]);
    assert.equal(renderServerConfig(s2Values()), expected);
  });

  it('derives the HA addresses from the slice of server 0 and of a non-default VPN network', () => {
    const s0 = renderServerConfig({ ...s2Values(), vpnIndex: 0, openvpnNetwork: 'fd8f:6d53:b97a:1::100:0/112' });
    assert.match(
      s0,
      /\nifconfig-ipv6 fd8f:6d53:b97a:1::100:1\/112 fd8f:6d53:b97a:1::100:2\nifconfig-ipv6-pool fd8f:6d53:b97a:1::100:1000\/112\n/,
    );
    const other = renderServerConfig({ ...s2Values(), openvpnNetwork: '2001:db8::102:0/112' });
    assert.match(other, /\nifconfig-ipv6 2001:db8::102:1\/112 2001:db8::102:2\nifconfig-ipv6-pool 2001:db8::102:1000\/112\n/);
  });

  it('refuses an HA server network that is not an IPv6 /112', () => {
    assert.throws(
      () => renderServerConfig({ ...s2Values(), openvpnNetwork: 'fd8f:6d53:b97a:1::/96' }),
      /IPv6 \/112, got fd8f:6d53:b97a:1::\/96/,
    );
  });

  it('renders S4 (IPv6-only shoot, IPv6 seed pod network)', () => {
    const v = s1Values({ shootNetworks: S4_SHOOT_NETWORKS, seedPodNetwork: 'fd00:10::/64' });
    const expected = s1With([
      [
        S1_UP,
        'up "/bin/vpn-server firewall --mode up --device tun0 --shoot-network=2001:db8:1::/108,2001:db8:2::/64,2001:db8:3::/64 --seed-pod-network=fd00:10::/64"',
      ],
    ]);
    assert.equal(renderServerConfig(v), expected);
  });

  it('renders S5 (dual-stack, MTU 8800) with tun-mtu set and pushed', () => {
    const v = s1Values({
      shootNetworks: [...S4_SHOOT_NETWORKS, '242.0.0.0/8', '243.0.0.0/8', '244.0.0.0/8'],
      tunMtu: 8800,
    });
    const expected = s1With([
      ['tcp-nodelay\n', 'tcp-nodelay\ntun-mtu 8800\npush "tun-mtu 8800"\n'],
      [
        S1_UP,
        'up "/bin/vpn-server firewall --mode up --device tun0 --shoot-network=2001:db8:1::/108,2001:db8:2::/64,2001:db8:3::/64,242.0.0.0/8,243.0.0.0/8,244.0.0.0/8 --seed-pod-network=10.96.0.0/11"',
      ],
    ]);
    assert.equal(renderServerConfig(v), expected);
  });

  it('renders an empty seed pod network as an empty flag value, as the reference does', () => {
    assert.match(renderServerConfig(s1Values({ seedPodNetwork: '' })), / --seed-pod-network="\n/);
  });

  it('takes paths and the hook command from the values', () => {
    const text = renderServerConfig(
      s1Values({
        secretsDir: '/tmp/t/secrets',
        clientConfigDir: '/tmp/t/ccd',
        statusPath: '/tmp/t/status',
        hookCommand: '/usr/bin/node /opt/vpn/seed-server.js',
      }),
    );
    for (const line of [
      'client-config-dir /tmp/t/ccd',
      'key "/tmp/t/secrets/vpn-server/tls.key"',
      'cert "/tmp/t/secrets/vpn-server/tls.crt"',
      'ca "/tmp/t/secrets/vpn-server/ca.crt"',
      'tls-auth "/tmp/t/secrets/tlsauth/vpn.tlsauth" 0',
      'up "/usr/bin/node /opt/vpn/seed-server.js firewall --mode up --device tun0 --shoot-network=242.0.0.0/8,243.0.0.0/8,244.0.0.0/8 --seed-pod-network=10.96.0.0/11"',
      'down "/usr/bin/node /opt/vpn/seed-server.js firewall --mode down --device tun0"',
      'status /tmp/t/status 15',
    ]) {
      assert.ok(text.split('\n').includes(line), line);
    }
  });

  it('refuses an up line longer than OpenVPN accepts, naming the line', () => {
    const shootNetworks = Array.from({ length: 12 }, (_, i) => `2001:db8:${i + 10}::/64`);
    assert.throws(
      () => renderServerConfig(s1Values({ shootNetworks })),
      (err: Error) => {
        assert.match(
          err.message,
          /^openvpn server config line 47 is 305 bytes, OpenVPN accepts at most 254: up "\/bin\/vpn-server firewall/,
        );
        return true;
      },
    );
  });
});
