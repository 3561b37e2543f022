import { runProgram } from '@vpn/common';
import { bareCommand, type ShootClientCommand } from './command';

/**
 * Loads only what the command runs: each subcommand's module (and the argument parser) is imported when
 * it is chosen, and the bundle makes each of them a file of its own (scripts/bundle.js), so a controller
 * carries neither the root command's firewall nor the parser.
 */
export function main(argv: string[]): Promise<void> {
  return runProgram('legacy', async (log) => {
    const cmd = bareCommand(argv) ?? (await parseArgs(argv));
    switch (cmd.command) {
      case 'help':
        return 0;
      case 'root':
        return (await import('./commands/root')).renderClient(cmd, log.with({ cmd: 'vpn-shoot-client' }));
      case 'setup':
        return (await import('./commands/setup')).setupClient(log.with({ cmd: 'setup' }));
      case 'path-controller':
        return (await import('./commands/path-controller')).runPathControllerCommand(log.with({ cmd: cmd.command }));
      case 'tunnel-controller':
        return (await import('./commands/tunnel-controller')).runTunnelControllerCommand(log.with({ cmd: cmd.command }));
      case 'connect-relay':
        return (await import('./commands/connect-relay')).runConnectRelay(log.with({ cmd: cmd.command }));
    }
  });
}

async function parseArgs(argv: string[]): Promise<ShootClientCommand> {
  return (await import('./cli')).parseShootClientArgs(argv);
}
