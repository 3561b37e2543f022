import { environmentHelp, SEED_SERVER_COMMANDS, SEED_SERVER_ENVIRONMENT, type SeedServerSubcommand } from '@vpn/common';
import yargs from 'yargs/yargs';
import type { Argv } from 'yargs';
import { EXPORTER_LISTEN_DEFAULT, ROOT_DEFAULTS, type SeedServerCommand } from './command';
// The manifest is the version's one source: tsc copies it beside the output, and the bundle inlines it.
import { version as VERSION } from '../package.json';

const ENVIRONMENT_NOTE = 'Set-but-empty variables count as unset; lists are split on "," without trimming.';

/** The environment part of `--help`: every subcommand's at the top level, one subcommand's under it. */
function environment(commands: readonly SeedServerSubcommand[]): string {
  return `${ENVIRONMENT_NOTE}\n\n${environmentHelp(SEED_SERVER_ENVIRONMENT, commands)}`;
}

/** Parses any command line with yargs: flags, `--help`, `--version`, and every error message. */
export function parseSeedServerArgs(argv: string[]): SeedServerCommand {
  const parser: Argv = yargs(argv)
    .scriptName('vpn-seed-server')
    .usage('$0 [command]\n\nWithout a command: render the OpenVPN server config and client-config-dir files and set the NAT rules.')
    .option('config-file', { type: 'string', default: ROOT_DEFAULTS.configFile, describe: 'server config to write (root command)' })
    .option('client-config-dir', {
      type: 'string',
      default: ROOT_DEFAULTS.clientConfigDir,
      describe: 'OpenVPN client-config-dir to write (root command)',
    })
    .option('secrets-dir', {
      type: 'string',
      default: ROOT_DEFAULTS.secretsDir,
      describe: 'directory holding vpn-server/ and tlsauth/ (root command)',
    })
    .command('setup', 'enable IPv6 in the pod (init container)', (b) => b.epilogue(environment(['setup'])))
    .command('firewall [openvpnArgs..]', 'OpenVPN up/down hook: INPUT/FORWARD rules, 241/8 NETMAP, shoot-network routes', (b) =>
      b
        .option('mode', { type: 'string', choices: ['up', 'down'], demandOption: true })
        .option('device', { type: 'string', demandOption: true, describe: 'tunnel device, e.g. tun0' })
        .option('shoot-network', { type: 'string', default: '', describe: 'comma list of networks routed to the device (up only)' })
        .option('seed-pod-network', { type: 'string', default: '', describe: 'seed pod network for the 241/8 NETMAP' })
        .positional('openvpnArgs', { describe: 'arguments OpenVPN appends (device, MTU, ..., init|restart); ignored', array: true })
        .epilogue(environment(['firewall'])),
    )
    .command('readiness', 'probe: exit 0 when ready (status file: a shoot client is connected, or no client yet)', (b) =>
      b.epilogue(environment(['readiness'])),
    )
    .command('liveness', 'probe: exit 0 when the status file is fresh (updated within 17 s, at most 2 s in the future)', (b) =>
      b.epilogue(environment(['liveness'])),
    )
    .command('exporter', 'serve Prometheus metrics of the status file(s) and TCP netstat', (b) =>
      b
        .option('listen', { type: 'string', default: EXPORTER_LISTEN_DEFAULT, describe: 'host:port to listen on' })
        .epilogue(environment(['exporter'])),
    )
    .epilogue(environment(SEED_SERVER_COMMANDS))
    .option('enable-pprof', {
      type: 'boolean',
      default: false,
      describe: 'accepted for compatibility with the Go images; there is no profiler',
    })
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
  if (sub === undefined) {
    return {
      command: 'root',
      configFile: String(args['config-file']),
      clientConfigDir: String(args['client-config-dir']),
      secretsDir: String(args['secrets-dir']),
    };
  }
  switch (sub) {
    case 'setup':
    case 'readiness':
    case 'liveness':
      return { command: sub };
    case 'exporter':
      return { command: 'exporter', listen: String(args.listen) };
    case 'firewall':
      return {
        command: 'firewall',
        mode: args.mode as 'up' | 'down',
        device: String(args.device),
        shootNetworks: String(args['shoot-network'])
          .split(',')
          .filter((s) => s !== ''),
        seedPodNetwork: String(args['seed-pod-network']),
      };
    default:
      throw new Error(`unknown command: ${String(sub)}`);
  }
}
