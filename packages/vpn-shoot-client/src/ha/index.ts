import { lookup } from 'node:dns/promises';
import { Netlink, type Logger, type PathControllerSettings, type TunnelControllerSettings } from '@vpn/common';
import { systemClock } from './clock';
import { managementRestarter } from './management';
import { runPathController } from './path-controller';
import { managementConnectionWatcher } from './server-connection';
import type { ControllerHandle } from './ports';
import { startReadinessServer } from './readiness-server';
import { runTunnelController } from './tunnel-controller';
import { LEAVING_MS, READINESS_PORT } from './timing';
import { bindUdp6 } from './udp';
import { randomId } from './wire';

export type { ControllerHandle, Readiness } from './ports';
export { runPathController, type PathControllerDeps } from './path-controller';
export { runTunnelController, type TunnelControllerDeps, type TunnelControllerHandle } from './tunnel-controller';

/**
 * `vpn-shoot-client path-controller`: runs until stop(). Rejects (InputError for bad settings) when it
 * cannot start; afterwards every failure is logged and retried.
 */
export async function startPathController(settings: PathControllerSettings, logger: Logger): Promise<ControllerHandle> {
  const network = Netlink.open();
  try {
    const controller = await runPathController(settings, {
      clock: systemClock,
      network,
      bindUdp: bindUdp6,
      instance: randomId(),
      logger,
      watchServer: managementConnectionWatcher(logger),
    });
    return {
      stop: async () => {
        await controller.stop();
        network.close();
      },
    };
  } catch (err) {
    network.close();
    throw err;
  }
}

export interface TunnelControllerOptions {
  /** Port of `/readyz`, READINESS_PORT unless a test picks another. */
  readinessPort?: number;
}

/** `vpn-shoot-client tunnel-controller`: UDP 5400 and `/readyz` on :8080, until stop(). */
export async function startTunnelController(
  settings: TunnelControllerSettings,
  logger: Logger,
  options: TunnelControllerOptions = {},
): Promise<ControllerHandle> {
  const network = Netlink.open();
  try {
    const controller = await runTunnelController(settings, {
      clock: systemClock,
      network,
      bindUdp: bindUdp6,
      restartServer: managementRestarter(),
      logger,
      resolveHost: async (host) => (await lookup(host, { all: true })).map((entry) => entry.address),
    });
    const readiness = await startReadinessServer(options.readinessPort ?? READINESS_PORT, () => controller.readiness()).catch(
      async (err: unknown) => {
        await controller.stop();
        throw err;
      },
    );
    logger.info('readiness probe listening', { port: readiness.port, path: '/readyz' });
    return {
      stop: async () => {
        await controller.leave(LEAVING_MS);
        await readiness.close();
        await controller.stop();
        network.close();
      },
    };
  } catch (err) {
    network.close();
    throw err;
  }
}
