import { RELAY_HOST } from '../plan/client-plan';
import { joinOptionLines } from './option-lines';
import type { ClientConfigValues } from './values';

/**
 * The OpenVPN client config (`/openvpn-client.config`), the reference's with three deliberate
 * differences: HA clients keep their tap across reconnects (`persist-tun`, so routes on it survive a
 * tunnel restart); a non-HA shoot client without a seed pod network gets no `up` hook (the reference
 * renders `ip route replace  dev $1`, which fails); and shoot clients connect to the connect relay on
 * loopback instead of using `http-proxy`, whose client waits 2 s after every `200` of the ingress.
 */
export function renderClientConfig(v: ClientConfigValues): string {
  const secrets = `${v.secretsDir}/${v.clientIndex === -1 ? 'vpn-client' : `vpn-client-${v.clientIndex}`}`;
  return joinOptionLines('openvpn client config', [
    'verb 3',
    '',
    "# don't cache authorization information in memory",
    'auth-nocache',
    '',
    '# Additional optimizations',
    'txqueuelen 1000',
    'tcp-nodelay',
    ...(v.tunMtu > 0 ? [`tun-mtu ${v.tunMtu}`] : []),
    '',
    '# get all routing information from server',
    'pull',
    'data-ciphers AES-256-GCM',
    'tls-client',
    '',
    ...(v.isShootClient
      ? [
          '# reconnect at once: the connect relay paces the attempts through the ingress',
          'connect-retry 0 5',
          '# restart when the server stays silent for 10 s (the relay holds the connection while it retries)',
          'server-poll-timeout 10',
        ]
      : ['# retry every second, increase retry timeout to max 5', 'connect-retry 1 5']),
    '',
    'auth SHA256',
    `tls-auth "${v.secretsDir}/tlsauth/vpn.tlsauth" 1`,
    '',
    '# https://openvpn.net/index.php/open-source/documentation/howto.html#mitm',
    'remote-cert-tls server',
    protoLine(v),
    `key ${secrets}/tls.key`,
    `cert ${secrets}/tls.crt`,
    `ca ${secrets}/ca.crt`,
    // The shoot's watchdog restarts its clients here; in the kube-apiserver pod the path controller watches
    // the clients' connection state here, to move paths the moment a server goes away.
    ...(v.isShootClient || v.isHA ? [`management 127.0.0.1 ${v.managementPort}`] : []),
    '',
    `dev ${v.device}`,
    ...(v.isHA ? ['persist-tun'] : []),
    ...(v.isShootClient
      ? ['# vpn-shoot-client connect-relay makes the HTTP CONNECT through ENDPOINT:OPENVPN_PORT', `remote ${RELAY_HOST} ${v.relayPort}`]
      : [`remote ${v.endpoint}`]),
    ...(v.isShootClient && !v.isHA && v.seedPodNetwork !== ''
      ? ['script-security 2', `up "/bin/sh -c '/sbin/ip route replace ${v.seedPodNetwork} dev $1' -- "`]
      : []),
    '',
  ]);
}

function protoLine(v: ClientConfigValues): string {
  // The relay on 127.0.0.1 connects to ENDPOINT in the families of IP_FAMILIES.
  if (v.isShootClient) return 'proto tcp4-client';
  if (v.ipFamilies.length === 2) return 'proto tcp-client';
  return v.ipFamilies[0] === 'IPv4' ? 'proto tcp4-client' : 'proto tcp6-client';
}
