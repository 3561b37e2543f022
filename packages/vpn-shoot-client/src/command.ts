/** Every subcommand with its flags; what main.ts runs. */
export type ShootClientCommand =
  | { command: 'root'; configFile: string; secretsDir: string }
  | { command: 'setup' }
  | { command: 'path-controller' }
  | { command: 'tunnel-controller' }
  | { command: 'connect-relay' }
  | { command: 'help' };

/** The root command's paths when no flag names them: where the image's entrypoint expects them. */
export const ROOT_DEFAULTS = { configFile: '/openvpn-client.config', secretsDir: '/srv/secrets' } as const;

/**
 * The command lines that need no parser: no arguments (the image's entrypoint, the root command) and a bare
 * subcommand without flags (how the manifests start the controllers and the root command the relay).
 * Loading yargs costs a long-running controller ~8 MB of resident memory and a short command ~40 ms
 * of start-up (bench/startup.ts), so these skip it; every other line goes to cli.ts.
 */
export function bareCommand(argv: readonly string[]): ShootClientCommand | undefined {
  if (argv.length === 0) return { command: 'root', ...ROOT_DEFAULTS };
  if (argv.length !== 1) return undefined;
  switch (argv[0]) {
    case 'setup':
    case 'path-controller':
    case 'tunnel-controller':
    case 'connect-relay':
      return { command: argv[0] };
    default:
      return undefined;
  }
}
