import { parsePathControllerSettings, untilTerminated, type Logger } from '@vpn/common';
import { startPathController } from '../ha';

/** `vpn-shoot-client path-controller`: runs until SIGTERM or SIGINT, then stops cleanly. */
export async function runPathControllerCommand(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const controller = await startPathController(parsePathControllerSettings(env), log);
  await untilTerminated();
  await controller.stop();
}
