import { runProgram } from '@vpn/common';
import { parseSeedServerArgs } from './cli';
import { firewallHook } from './commands/firewall';
import { runExporter } from './commands/exporter';
import { probe } from './commands/probes';
import { renderServer } from './commands/root';
import { setupServer } from './commands/setup';

export function main(argv: string[]): Promise<void> {
  return runProgram('iso', async (log) => {
    const cmd = parseSeedServerArgs(argv);
    switch (cmd.command) {
      case 'help':
        return 0;
      case 'root':
        return renderServer(cmd, log.with({ cmd: 'vpn-seed-server' }));
      case 'setup':
        return setupServer(log.with({ cmd: 'setup' }));
      case 'firewall':
        return firewallHook(cmd, log.with({ cmd: 'firewall' }));
      case 'readiness':
      case 'liveness':
        return probe(cmd.command, log.with({ cmd: cmd.command }));
      case 'exporter':
        return runExporter(cmd.listen, log.with({ cmd: 'exporter' }));
    }
  });
}
