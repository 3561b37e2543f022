import { parseTunnelControllerSettings, untilTerminated, type Logger } from '@vpn/common';
import { startTunnelController } from '../ha';

/** `vpn-shoot-client tunnel-controller`: runs until SIGTERM or SIGINT, then leaves and stops cleanly. */
export async function runTunnelControllerCommand(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const controller = await startTunnelController(parseTunnelControllerSettings(env), log);
  await untilTerminated();
  await controller.stop();
}
