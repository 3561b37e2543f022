import yargs from 'yargs/yargs';
import type { Argv } from 'yargs';

// The package's own manifest, read at run time so that the version has one source.
const VERSION: string = require('../../package.json').version;

/** Every subcommand with its flags; parsing only, so that main.ts decides what runs. */
export type ShootClientCommand =
  | { command: 'root'; configFile: string; secretsDir: string }
  | { command: 'setup' }
  | { command: 'path-controller' }
  | { command: 'tunnel-controller' }
  | { command: 'help' };

const ENVIRONMENT = `Environment of the root command and setup (set-but-empty counts as unset, lists are split on "," without trimming):
  IP_FAMILIES              IPv4, IPv6 or both (comma list), default IPv4; picks proto tcp4-/tcp6-/tcp-client
  ENDPOINT                 host of the seed's HTTP CONNECT ingress (and the OpenVPN remote)
  OPENVPN_PORT             port of the CONNECT ingress, default 8132
  REVERSED_VPN_HEADER      value of the CONNECT routing header, default invalid-host
  REVERSED_VPN_HEADER_KEY  name of the CONNECT routing header, default Reversed-VPN
  VPN_NETWORK              IPv6 /96 transfer network, default fd8f:6d53:b97a:1::/96
  SEED_POD_NETWORK         one CIDR: the route back to the seed (IPv4 seeds via 241.0.0.0/8)
  SHOOT_SERVICE_NETWORKS, SHOOT_POD_NETWORKS, SHOOT_NODE_NETWORKS  CIDR lists, default empty
  IS_SHOOT_CLIENT          bool: true in the shoot (vpn-shoot), false in kube-apiserver pods
  IS_HA                    bool; HA needs POD_NAME for shoot clients and HA_VPN_SERVERS/HA_VPN_CLIENTS together
  POD_NAME                 HA shoot clients take their index from the numeric suffix (vpn-shoot-1 -> 1)
  VPN_SERVER_INDEX         HA: device tap<i>, management port 7505+i
  HA_VPN_SERVERS, HA_VPN_CLIENTS  HA: numbers of servers and shoot clients
  BONDING_MODE             active-backup (default) or balance-rr; checked when IS_HA
  OPENVPN_AUTO_MTU         bool; tunnel MTU = default-route MTU - 130, at least 1280
  NAMESPACE, POD_LABEL_SELECTOR, WAIT_TIME  accepted and ignored (no IP pool in this design; WAIT_TIME syntax is checked)
  DEBUG                    true prints debug lines

Environment of path-controller (kube-apiserver pod; paths are the tap devices present):
  POD_IP                   required; announced to the shoot (mapped into 241.0.0.0/8 when seed and shoot overlap)
  HA_VPN_CLIENTS           number of shoot clients; VPN_NETWORK, SEED_POD_NETWORK, SHOOT_*_NETWORKS as above
  BONDING_MODE             balance-rr: multipath route over every healthy path (Gardener passes it only to init containers)
  IP_FAMILIES, HA_VPN_SERVERS  optional
  METRICS_PORT             TCP port of GET /metrics (Prometheus), default 15002; ours, not the reference's

Environment of tunnel-controller (vpn-shoot pod; servers are the tap devices present):
  HA_VPN_CLIENTS           default 2
  WATCHDOG_WINDOW_SIZE, WATCHDOG_THRESHOLD, WATCHDOG_COOLDOWN  defaults 20, 10, 20 (units of 4 s without announcements)
  VPN_NETWORK, SEED_POD_NETWORK  validation of announcements (SEED_POD_NETWORK tightens it)`;

export function parseShootClientArgs(argv: string[]): ShootClientCommand {
  const parser: Argv = yargs(argv)
    .scriptName('vpn-shoot-client')
    .usage(
      '$0 [command]\n\nWithout a command: set the iptables rules, remove stale addresses from the tunnel device and render the OpenVPN client config.',
    )
    .option('config-file', { type: 'string', default: '/openvpn-client.config', describe: 'client config to write (root command)' })
    .option('secrets-dir', { type: 'string', default: '/srv/secrets', describe: 'directory holding vpn-client[-N]/ and tlsauth/ (root command)' })
    .command('setup', 'kernel settings (sysctls) of the client pod (init container)')
    .command('path-controller', 'HA, seed side: probe every path, route shoot networks over the active one, announce the pod IP, /metrics on METRICS_PORT (15002)')
    .command('tunnel-controller', 'HA, shoot side: return routes from announcements, /readyz and /metrics on :8080, per-server watchdog')
    .epilogue(ENVIRONMENT)
    .option('enable-pprof', { type: 'boolean', default: false, describe: 'accepted for compatibility with the Go images; there is no profiler' })
    .strict()
    .help()
    .version(VERSION)
    .wrap(120)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg.replace(/\s*\n\s*/g, ' '));
    });
  const args = parser.parseSync();
  if (args.help || args.version) return { command: 'help' };
  const sub = args._[0];
  switch (sub) {
    case undefined:
      return { command: 'root', configFile: String(args['config-file']), secretsDir: String(args['secrets-dir']) };
    case 'setup':
    case 'path-controller':
    case 'tunnel-controller':
      return { command: sub };
    default:
      throw new Error(`unknown command: ${String(sub)}`);
  }
}
