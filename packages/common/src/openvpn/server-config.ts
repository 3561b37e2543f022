import { Cidr } from '../net/cidr';
import { HA_SERVER_SLICE_PREFIX, haSliceAddresses } from '../net/ha-address-plan';
import { joinOptionLines } from './option-lines';
import type { ServerConfigValues } from './values';

/**
 * The OpenVPN server config (`/openvpn-server.config`). Non-HA it is byte-identical to the reference's,
 * including the missing newline after the last line. HA differs by design (docs/ha.md, "Address plan"): the server's
 * IPv6 addressing is spelled out instead of `server-ipv6`, so seed clients draw from a pool that starts
 * at `…::10s:1000` and never collides with the shoot clients' fixed addresses; its OpenVPN tables are bounded
 * (`max-routes-per-client`, `max-clients`), and its `up` hook routes nothing into the tap.
 */
export function renderServerConfig(v: ServerConfigValues): string {
  return joinOptionLines('openvpn server config', [
    'verb 3',
    'mode server',
    'tls-server',
    'topology subnet',
    '',
    '# Additional optimizations',
    'txqueuelen 1000',
    'tcp-nodelay',
    ...(v.tunMtu > 0 ? [`tun-mtu ${v.tunMtu}`, `push "tun-mtu ${v.tunMtu}"`] : []),
    '',
    'data-ciphers AES-256-GCM:AES-256-CBC',
    '',
    '# port can always be 1194 here as it is not visible externally. A different',
    '# port can be configured for the external load balancer in the service',
    '# manifest',
    'port 1194',
    '',
    '# send ping every 10 seconds, assume peer is down after 30 seconds without traffic',
    '# this value is pushed to the client, timeout is doubled on the server side, so the client is considered down after 60 seconds without traffic',
    'keepalive 10 30',
    '',
    '# max number of routes per client.',
    ...(v.isHA ? ['# tap mode: a route is a MAC address learned from the client, one per client tap'] : []),
    `max-routes-per-client ${v.maxRoutesPerClient}`,
    '',
    '## disabled until https://github.com/OpenVPN/openvpn/issues/1063 is resolved',
    '# routes go stale after 5 minutes, clean up every 10 minutes',
    '# stale-routes-check 300 600',
    '',
    '# client-config-dir to push client specific configuration',
    `client-config-dir ${v.clientConfigDir}`,
    '',
    `key "${v.secretsDir}/vpn-server/tls.key"`,
    `cert "${v.secretsDir}/vpn-server/tls.crt"`,
    `ca "${v.secretsDir}/vpn-server/ca.crt"`,
    'dh none',
    '',
    'auth SHA256',
    `tls-auth "${v.secretsDir}/tlsauth/vpn.tlsauth" 0`,
    '',
    '# always listen on both IPv4 & IPv6 via tcp6-server',
    'proto tcp6-server',
    '',
    ...(v.isHA ? haAddressingLines(v.openvpnNetwork) : [`server-ipv6 ${v.openvpnNetwork}`]),
    ...(v.isHA ? ['', 'client-to-client', 'duplicate-cn'] : []),
    ...(v.maxClients > 0 ? ['# the shoot clients and the connections of the kube-apiserver pods', `max-clients ${v.maxClients}`] : []),
    '',
    `dev ${v.device}`,
    '',
    'script-security 2',
    `up "${v.hookCommand} firewall --mode up --device ${v.device}${upHookRouteFlag(v.upHookRoutes)} --seed-pod-network=${v.seedPodNetwork}"`,
    `down "${v.hookCommand} firewall --mode down --device ${v.device}"`,
    '',
    `status ${v.statusPath} 15`,
    'status-version 2',
  ]);
}

function upHookRouteFlag(routes: readonly string[]): string {
  return routes.length === 0 ? '' : ` --shoot-network=${routes.join(',')}`;
}

function haAddressingLines(sliceCidr: string): string[] {
  const slice = haSliceAddresses(Cidr.parse(sliceCidr));
  return [
    '# server-ipv6 spelled out: the pool starts at ::1000, below it shoot clients have fixed addresses',
    `ifconfig-ipv6 ${slice.server.toString()}/${HA_SERVER_SLICE_PREFIX} ${slice.serverPeer.toString()}`,
    `ifconfig-ipv6-pool ${slice.poolStart.toString()}/${HA_SERVER_SLICE_PREFIX}`,
    'push "tun-ipv6"',
  ];
}
