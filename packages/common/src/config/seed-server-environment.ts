import { DEFAULTED_SHOOT_NETWORK_VARIABLES, SHARED_VARIABLES, type EnvironmentTable } from './variables';

export const SEED_SERVER_COMMANDS = ['root', 'setup', 'firewall', 'readiness', 'liveness', 'exporter'] as const;
export type SeedServerSubcommand = (typeof SEED_SERVER_COMMANDS)[number];

/** Everything that reads the server settings (`parseServerSettings`). */
const SERVER = ['root', 'readiness', 'liveness', 'exporter'] as const;

/**
 * The environment of vpn-seed-server, in the order its settings are checked: the one place that names
 * each variable with its type, default and meaning. The parsers, `--help` and the README take it from here.
 */
export const SEED_SERVER_ENVIRONMENT = {
  SHOOT_SERVICE_NETWORKS: { ...DEFAULTED_SHOOT_NETWORK_VARIABLES.SHOOT_SERVICE_NETWORKS, commands: SERVER },
  SHOOT_POD_NETWORKS: { ...DEFAULTED_SHOOT_NETWORK_VARIABLES.SHOOT_POD_NETWORKS, commands: SERVER },
  SHOOT_NODE_NETWORKS: { ...DEFAULTED_SHOOT_NETWORK_VARIABLES.SHOOT_NODE_NETWORKS, commands: SERVER },
  VPN_NETWORK: { ...SHARED_VARIABLES.VPN_NETWORK, commands: SERVER },
  SEED_POD_NETWORK: { ...SHARED_VARIABLES.SEED_POD_NETWORK, commands: SERVER },
  POD_NAME: {
    name: 'POD_NAME',
    type: 'string',
    default: '',
    description: 'a name ending in -0, -1 or -2 is HA server 0..2 and must agree with IS_HA',
    commands: SERVER,
  },
  OPENVPN_STATUS_PATH: {
    name: 'OPENVPN_STATUS_PATH',
    type: 'string',
    required: true,
    description: 'status file OpenVPN writes every 15 s (a comma list for the exporter)',
    commands: SERVER,
  },
  IS_HA: {
    name: 'IS_HA',
    type: 'bool',
    default: 'false',
    description: 'HA: needs POD_NAME of a replica and HA_VPN_CLIENTS > 0',
    commands: SERVER,
  },
  HA_VPN_CLIENTS: {
    name: 'HA_VPN_CLIENTS',
    type: 'int',
    default: '0',
    description: 'HA: number of shoot clients, 1..256',
    commands: SERVER,
  },
  OPENVPN_AUTO_MTU: { ...SHARED_VARIABLES.OPENVPN_AUTO_MTU, commands: SERVER },
  IP_FAMILIES: { name: 'IP_FAMILIES', type: 'string', description: 'accepted and ignored, as by the reference', commands: SERVER },
  LOCAL_NODE_IP: { name: 'LOCAL_NODE_IP', type: 'string', description: 'accepted and ignored, as by the reference', commands: SERVER },
  DEBUG: { ...SHARED_VARIABLES.DEBUG, commands: SEED_SERVER_COMMANDS },
} as const satisfies EnvironmentTable<SeedServerSubcommand>;
