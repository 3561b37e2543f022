import { runProgram } from '@vpn/common';
import { parseShootClientArgs } from './cli';
import { renderClient } from './commands/root';
import { setupClient } from './commands/setup';

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
      case 'tunnel-controller':
        throw new Error(`${cmd.command} is not available in this build yet`);
    }
  });
}
