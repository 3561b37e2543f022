import { strict as assert } from 'node:assert';
import { renderClientConfig } from '@vpn/common';
import { c1Values } from '@vpn/common/dist/test/openvpn/fixtures';
import { httpProxyConfig } from '../lib/vpn-programs';

/** The reference's C1 client config: what the root command rendered before the connect relay. */
const REFERENCE_C1 = `verb 3

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

const ENV = {
  ENDPOINT: 'api.bar.foo.example.com',
  OPENVPN_PORT: '8132',
  REVERSED_VPN_HEADER_KEY: 'Reversed-VPN',
  REVERSED_VPN_HEADER: 'outbound|1194||vpn-seed-server.shoot--foo--bar.svc.cluster.local',
};

describe('lab: the http-proxy client config the comparisons run against', () => {
  it('is the reference config, rebuilt from the relay config', () => {
    assert.equal(httpProxyConfig(renderClientConfig(c1Values()), ENV), REFERENCE_C1);
  });

  it('takes proto from IP_FAMILIES, as the reference', () => {
    const dual = httpProxyConfig(renderClientConfig(c1Values({ ipFamilies: ['IPv4', 'IPv6'] })), { ...ENV, IP_FAMILIES: 'IPv4,IPv6' });
    assert.equal(dual, REFERENCE_C1.replace('proto tcp4-client', 'proto tcp-client'));
  });
});
