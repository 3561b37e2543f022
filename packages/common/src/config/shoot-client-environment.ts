import { BONDING_MODES } from './shared';
import { DEFAULTED_SHOOT_NETWORK_VARIABLES, EMPTY_SHOOT_NETWORK_VARIABLES, SHARED_VARIABLES, type EnvironmentTable } from './variables';

export const SHOOT_CLIENT_COMMANDS = ['root', 'setup', 'path-controller', 'tunnel-controller', 'connect-relay'] as const;
export type ShootClientSubcommand = (typeof SHOOT_CLIENT_COMMANDS)[number];

/** Everything that reads the client settings (`parseClientSettings`). */
const CLIENT = ['root', 'setup', 'connect-relay'] as const;
const PATH = ['path-controller'] as const;
const TUNNEL = ['tunnel-controller'] as const;
const IGNORED = 'accepted and ignored, as by the reference (no IP pool in this design)';

/**
 * The environment of vpn-shoot-client, in the order its settings are checked: the one place that names
 * each variable with its type, default and meaning. The parsers, `--help` and the README take it from here.
 * Where the controllers read a variable with another type or default than the client, it has a second entry.
 */
export const SHOOT_CLIENT_ENVIRONMENT = {
  ENDPOINT: {
    name: 'ENDPOINT',
    type: 'string',
    default: '',
    description: "host of the seed's HTTP CONNECT ingress, and the OpenVPN remote (port 1194)",
    commands: CLIENT,
  },
  OPENVPN_PORT: {
    name: 'OPENVPN_PORT',
    type: 'uint',
    default: '8132',
    description: 'port of the CONNECT ingress, 1..65535',
    commands: CLIENT,
  },
  VPN_NETWORK: { ...SHARED_VARIABLES.VPN_NETWORK, commands: [...CLIENT, ...PATH, ...TUNNEL] },
  SEED_POD_NETWORK: { ...SHARED_VARIABLES.SEED_POD_NETWORK, commands: [...CLIENT, ...PATH, ...TUNNEL] },
  SHOOT_SERVICE_NETWORKS: { ...EMPTY_SHOOT_NETWORK_VARIABLES.SHOOT_SERVICE_NETWORKS, commands: [...CLIENT, ...TUNNEL] },
  SHOOT_POD_NETWORKS: { ...EMPTY_SHOOT_NETWORK_VARIABLES.SHOOT_POD_NETWORKS, commands: [...CLIENT, ...TUNNEL] },
  SHOOT_NODE_NETWORKS: { ...EMPTY_SHOOT_NETWORK_VARIABLES.SHOOT_NODE_NETWORKS, commands: [...CLIENT, ...TUNNEL] },
  PATH_SHOOT_SERVICE_NETWORKS: { ...DEFAULTED_SHOOT_NETWORK_VARIABLES.SHOOT_SERVICE_NETWORKS, commands: PATH },
  PATH_SHOOT_POD_NETWORKS: { ...DEFAULTED_SHOOT_NETWORK_VARIABLES.SHOOT_POD_NETWORKS, commands: PATH },
  PATH_SHOOT_NODE_NETWORKS: { ...DEFAULTED_SHOOT_NETWORK_VARIABLES.SHOOT_NODE_NETWORKS, commands: PATH },
  IS_SHOOT_CLIENT: {
    name: 'IS_SHOOT_CLIENT',
    type: 'bool',
    default: 'false',
    description: 'true in the shoot (vpn-shoot), false in kube-apiserver pods',
    commands: CLIENT,
  },
  POD_NAME: {
    name: 'POD_NAME',
    type: 'string',
    default: '',
    description: 'HA shoot clients take their index from the numeric suffix (vpn-shoot-1 is 1)',
    commands: CLIENT,
  },
  VPN_SERVER_INDEX: {
    name: 'VPN_SERVER_INDEX',
    type: 'uint',
    description: 'HA: server 0..255 this client dials; device tapN, management port 7505+N',
    commands: CLIENT,
  },
  IS_HA: {
    name: 'IS_HA',
    type: 'bool',
    default: 'false',
    description: 'HA: needs POD_NAME for shoot clients, and HA_VPN_SERVERS and HA_VPN_CLIENTS together',
    commands: CLIENT,
  },
  REVERSED_VPN_HEADER: {
    name: 'REVERSED_VPN_HEADER',
    type: 'string',
    default: 'invalid-host',
    description: 'value of the CONNECT routing header',
    commands: CLIENT,
  },
  REVERSED_VPN_HEADER_KEY: {
    name: 'REVERSED_VPN_HEADER_KEY',
    type: 'string',
    default: 'Reversed-VPN',
    description: 'name of the CONNECT routing header',
    commands: CLIENT,
  },
  HA_VPN_CLIENTS: {
    name: 'HA_VPN_CLIENTS',
    type: 'uint',
    default: '0',
    description: 'HA: number of shoot clients, at most 256',
    commands: CLIENT,
  },
  HA_VPN_SERVERS: {
    name: 'HA_VPN_SERVERS',
    type: 'uint',
    default: '0',
    description: 'HA: number of servers, one tap each',
    commands: CLIENT,
  },
  WAIT_TIME: { name: 'WAIT_TIME', type: 'duration', default: '2s', description: `${IGNORED}; must not be negative`, commands: CLIENT },
  OPENVPN_AUTO_MTU: { ...SHARED_VARIABLES.OPENVPN_AUTO_MTU, commands: CLIENT },
  BONDING_MODE: {
    name: 'BONDING_MODE',
    type: 'enum',
    choices: BONDING_MODES,
    default: 'active-backup',
    description: 'balance-rr: the path controller routes over every healthy path at once; the client checks it when IS_HA',
    commands: [...CLIENT, ...PATH],
  },
  IP_FAMILIES: {
    name: 'IP_FAMILIES',
    type: 'list',
    default: 'IPv4',
    description: 'IPv4, IPv6 or both; picks proto tcp4-client, tcp6-client or tcp-client',
    commands: CLIENT,
  },
  NAMESPACE: { name: 'NAMESPACE', type: 'string', description: IGNORED, commands: CLIENT },
  POD_LABEL_SELECTOR: { name: 'POD_LABEL_SELECTOR', type: 'string', description: IGNORED, commands: CLIENT },
  PATH_HA_VPN_CLIENTS: {
    name: 'HA_VPN_CLIENTS',
    type: 'int',
    default: '0',
    description: 'HA: shoot clients k = 0..n-1 (n at most 256) to probe through every server',
    commands: PATH,
  },
  PATH_HA_VPN_SERVERS: {
    name: 'HA_VPN_SERVERS',
    type: 'uint',
    description: 'optional; the paths are the tap devices present',
    commands: PATH,
  },
  POD_IP: {
    name: 'POD_IP',
    type: 'ip',
    required: true,
    description: 'announced to the shoot (mapped into 241.0.0.0/8 when seed and shoot overlap)',
    commands: PATH,
  },
  METRICS_PORT: {
    name: 'METRICS_PORT',
    type: 'uint',
    default: '15002',
    description: "TCP port of GET /metrics (Prometheus), 1..65535; ours, not the reference's",
    commands: PATH,
  },
  PATH_IS_HA: {
    name: 'IS_HA',
    type: 'string',
    description: 'set by Gardener; accepted and ignored (the path controller runs only in HA)',
    commands: PATH,
  },
  PATH_IP_FAMILIES: { name: 'IP_FAMILIES', type: 'string', description: 'accepted and ignored, as by the reference', commands: PATH },
  TUNNEL_HA_VPN_CLIENTS: {
    name: 'HA_VPN_CLIENTS',
    type: 'int',
    default: '2',
    description: 'number of shoot clients; the servers are the tap devices present',
    commands: TUNNEL,
  },
  WATCHDOG_WINDOW_SIZE: {
    name: 'WATCHDOG_WINDOW_SIZE',
    type: 'int',
    default: '20',
    description: 'events the watchdog remembers per server (each 4 s without an announcement is a failure)',
    commands: TUNNEL,
  },
  WATCHDOG_THRESHOLD: {
    name: 'WATCHDOG_THRESHOLD',
    type: 'int',
    default: '10',
    description: "failures in the window that restart that server's OpenVPN client, at most WATCHDOG_WINDOW_SIZE",
    commands: TUNNEL,
  },
  WATCHDOG_COOLDOWN: {
    name: 'WATCHDOG_COOLDOWN',
    type: 'int',
    default: '20',
    description: 'events ignored after a restart',
    commands: TUNNEL,
  },
  TUNNEL_ENDPOINT: {
    name: 'ENDPOINT',
    type: 'string',
    description: 'optional: announced pod IPs must not be one of its addresses',
    commands: TUNNEL,
  },
  DEBUG: { ...SHARED_VARIABLES.DEBUG, commands: SHOOT_CLIENT_COMMANDS },
} as const satisfies EnvironmentTable<ShootClientSubcommand>;
