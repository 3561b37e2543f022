import { parsePathControllerSettings, parseTunnelControllerSettings, runProgram, untilTerminated } from '@vpn/common';
import { parseShootClientArgs } from './cli';
import { runConnectRelay } from './commands/connect-relay';
import { renderClient } from './commands/root';
import { setupClient } from './commands/setup';
import { startPathController, startTunnelController, type ControllerHandle } from './ha';

export function main(argv: string[]): Promise<void> {
  return runProgram('legacy', async (log) => {
    const cmd = parseShootClientArgs(argv);
    switch (cmd.command) {
      case 'help':
        return 0;
      case 'root':
        return renderClient(cmd, log.with({ cmd: 'vpn-shoot-client' }));
      case 'setup':
        return setupClient(log.with({ cmd: 'setup' }));
      case 'path-controller':
        return runUntilTerminated(await startPathController(parsePathControllerSettings(process.env), log.with({ cmd: cmd.command })));
      case 'tunnel-controller':
        return runUntilTerminated(await startTunnelController(parseTunnelControllerSettings(process.env), log.with({ cmd: cmd.command })));
      case 'connect-relay':
        return runConnectRelay(log.with({ cmd: cmd.command }));
    }
  });
}

async function runUntilTerminated(controller: ControllerHandle): Promise<void> {
  await untilTerminated();
  await controller.stop();
}
