/** Every subcommand with its flags; what main.ts runs. */
export type SeedServerCommand =
  | { command: 'root'; configFile: string; clientConfigDir: string; secretsDir: string }
  | { command: 'setup' }
  | {
      command: 'firewall';
      mode: 'up' | 'down';
      device: string;
      shootNetworks: string[];
      seedPodNetwork: string;
    }
  | { command: 'readiness' | 'liveness' }
  | { command: 'exporter'; listen: string }
  | { command: 'help' };

/** The root command's paths when no flag names them: where the image's entrypoint expects them. */
export const ROOT_DEFAULTS = {
  configFile: '/openvpn-server.config',
  clientConfigDir: '/client-config-dir',
  secretsDir: '/srv/secrets',
} as const;

/** Where the exporter listens when no flag says. */
export const EXPORTER_LISTEN_DEFAULT = ':15000';

/**
 * The command lines that need no parser: no arguments (the image's entrypoint, the root command) and a bare
 * subcommand without flags (the probes Kubernetes execs every few seconds, the exporter). Loading yargs costs a probe
 * ~40 ms of start-up (bench/startup.ts), so these skip it; every other line goes to cli.ts.
 */
export function bareCommand(argv: readonly string[]): SeedServerCommand | undefined {
  if (argv.length === 0) return { command: 'root', ...ROOT_DEFAULTS };
  if (argv.length !== 1) return undefined;
  switch (argv[0]) {
    case 'setup':
    case 'readiness':
    case 'liveness':
      return { command: argv[0] };
    case 'exporter':
      return { command: 'exporter', listen: EXPORTER_LISTEN_DEFAULT };
    default:
      return undefined;
  }
}
