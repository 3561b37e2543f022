import { environmentHelp, SHOOT_CLIENT_COMMANDS, SHOOT_CLIENT_ENVIRONMENT, type ShootClientSubcommand } from '@vpn/common';
import yargs from 'yargs/yargs';
import type { Argv } from 'yargs';
import { ROOT_DEFAULTS, type ShootClientCommand } from './command';
// The manifest is the version's one source: tsc copies it beside the output, and the bundle inlines it.
import { version as VERSION } from '../package.json';

const ENVIRONMENT_NOTE = 'Set-but-empty variables count as unset; lists are split on "," without trimming.';

/** The environment part of `--help`: every subcommand's at the top level, one subcommand's under it. */
function environment(commands: readonly ShootClientSubcommand[]): string {
  return `${ENVIRONMENT_NOTE}\n\n${environmentHelp(SHOOT_CLIENT_ENVIRONMENT, commands)}`;
}

/** Parses any command line with yargs: flags, `--help`, `--version`, and every error message. */
export function parseShootClientArgs(argv: string[]): ShootClientCommand {
  const parser: Argv = yargs(argv)
    .scriptName('vpn-shoot-client')
    .usage(
      '$0 [command]\n\nWithout a command: set the iptables rules, remove stale addresses from the tunnel device, start the connect relay (shoot clients) and render the OpenVPN client config.',
    )
    .option('config-file', { type: 'string', default: ROOT_DEFAULTS.configFile, describe: 'client config to write (root command)' })
    .option('secrets-dir', {
      type: 'string',
      default: ROOT_DEFAULTS.secretsDir,
      describe: 'directory holding vpn-client[-N]/ and tlsauth/ (root command)',
    })
    .command('setup', 'kernel settings (sysctls) of the client pod (init container)', (b) => b.epilogue(environment(['setup'])))
    .command(
      'path-controller',
      'HA, seed side: probe every path, route shoot networks over the active one, announce the pod IP, /metrics on METRICS_PORT (15002)',
      (b) => b.epilogue(environment(['path-controller'])),
    )
    .command(
      'tunnel-controller',
      'HA, shoot side: return routes from announcements, /readyz and /metrics on :8080, per-server watchdog',
      (b) => b.epilogue(environment(['tunnel-controller'])),
    )
    .command(
      'connect-relay',
      'shoot clients: the HTTP CONNECT through ENDPOINT for OpenVPN, on 127.0.0.1:9505+VPN_SERVER_INDEX (the root command starts it)',
      (b) => b.epilogue(environment(['connect-relay'])),
    )
    .epilogue(environment(SHOOT_CLIENT_COMMANDS))
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
  switch (sub) {
    case undefined:
      return { command: 'root', configFile: String(args['config-file']), secretsDir: String(args['secrets-dir']) };
    case 'setup':
    case 'path-controller':
    case 'tunnel-controller':
    case 'connect-relay':
      return { command: sub };
    default:
      throw new Error(`unknown command: ${String(sub)}`);
  }
}
