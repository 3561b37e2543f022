import { joinOptionLines } from './option-lines';
import type { ClientConfigValues } from './values';

/**
 * The OpenVPN client config (`/openvpn-client.config`), byte-identical to the reference's with two
 * deliberate differences: HA clients keep their tap across reconnects (`persist-tun`, so routes on it
 * survive a tunnel restart), and a non-HA shoot client without a seed pod network gets no `up` hook
 * (the reference renders `ip route replace  dev $1`, which fails).
 */
export function renderClientConfig(v: ClientConfigValues): string {
  const secrets = `${v.secretsDir}/${v.clientIndex === -1 ? 'vpn-client' : `vpn-client-${v.clientIndex}`}`;
  return joinOptionLines('openvpn client config', [
    'verb 3',
    '',
    '# don\'t cache authorization information in memory',
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
    '# retry every second, increase retry timeout to max 5',
    'connect-retry 1 5',
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
    ...(v.isShootClient
      ? [`http-proxy ${v.endpoint} ${v.openvpnPort}`, `http-proxy-option CUSTOM-HEADER ${v.reversedVpnHeaderKey} ${v.reversedVpnHeader}`]
      : []),
    // The shoot's watchdog restarts its clients here; in the kube-apiserver pod the path controller watches
    // the clients' connection state here, to move paths the moment a server goes away.
    ...(v.isShootClient || v.isHA ? [`management 127.0.0.1 ${v.managementPort}`] : []),
    '',
    `dev ${v.device}`,
    ...(v.isHA ? ['persist-tun'] : []),
    `remote ${v.endpoint}`,
    ...(v.isShootClient && !v.isHA && v.seedPodNetwork !== ''
      ? ['script-security 2', `up "/bin/sh -c '/sbin/ip route replace ${v.seedPodNetwork} dev $1' -- "`]
      : []),
    '',
  ]);
}

function protoLine(v: ClientConfigValues): string {
  if (v.ipFamilies.length === 2) return 'proto tcp-client';
  return v.ipFamilies[0] === 'IPv4' ? 'proto tcp4-client' : 'proto tcp6-client';
}
