import { runProgram } from '@vpn/common';
import { bareCommand, type SeedServerCommand } from './command';

/**
 * Loads only what the command runs: each subcommand's module (and the argument parser) is imported when
 * it is chosen, and the bundle makes each of them a file of its own (scripts/bundle.js), so a probe loads
 * neither the exporter's HTTP server nor the root command's firewall.
 */
export function main(argv: string[]): Promise<void> {
  return runProgram('iso', async (log) => {
    const cmd = bareCommand(argv) ?? (await parseArgs(argv));
    switch (cmd.command) {
      case 'help':
        return 0;
      case 'root':
        return (await import('./commands/root')).renderServer(cmd, log.with({ cmd: 'vpn-seed-server' }));
      case 'setup':
        return (await import('./commands/setup')).setupServer(log.with({ cmd: 'setup' }));
      case 'firewall':
        return (await import('./commands/firewall')).firewallHook(cmd, log.with({ cmd: 'firewall' }));
      case 'readiness':
      case 'liveness':
        return (await import('./commands/probes')).probe(cmd.command, log.with({ cmd: cmd.command }));
      case 'exporter':
        return (await import('./commands/exporter')).runExporter(cmd.listen, log.with({ cmd: 'exporter' }));
    }
  });
}

async function parseArgs(argv: string[]): Promise<SeedServerCommand> {
  return (await import('./cli')).parseSeedServerArgs(argv);
}
