import { lookup } from 'node:dns/promises';
import {
  LinkEvents,
  Netlink,
  oneLine,
  TcpDiag,
  type Logger,
  type PathControllerSettings,
  type TunnelControllerSettings,
} from '@vpn/common';
import { systemClock } from './clock';
import { metricsEndpoint, readinessEndpoint, startHttpServer } from './http-server';
import { managementRestarter } from './management';
import { runPathController } from './path-controller';
import { managementConnectionWatcher } from './server-connection';
import { PathMetrics } from './path-metrics';
import type { ControllerHandle, WatchLinks } from './ports';
import { runTunnelController } from './tunnel-controller';
import { TunnelMetrics } from './tunnel-metrics';
import { LEAVING_MS, READINESS_PORT } from './timing';
import { bindUdp6 } from './udp';
import { randomId } from './wire';

export type { ControllerHandle, Readiness } from './ports';
export { runPathController, type PathControllerDeps } from './path-controller';
export { runTunnelController, type TunnelControllerDeps, type TunnelControllerHandle } from './tunnel-controller';

/**
 * `vpn-shoot-client path-controller`: probes, routes and `/metrics` on METRICS_PORT, until stop(). Rejects
 * (InputError for bad settings) when it cannot start; afterwards every failure is logged and retried.
 */
export async function startPathController(settings: PathControllerSettings, logger: Logger): Promise<ControllerHandle> {
  const network = Netlink.open();
  const tcpDiag = TcpDiag.open();
  try {
    const metrics = new PathMetrics();
    const controller = await runPathController(settings, {
      clock: systemClock,
      network,
      bindUdp: bindUdp6,
      instance: randomId(),
      logger,
      observer: metrics,
      watchServer: managementConnectionWatcher(logger),
      watchLinks: linkWatcher(logger),
      inspectConnection: (connection) => tcpDiag.progress(connection),
    });
    const http = await startHttpServer({ port: settings.metricsPort, endpoints: { '/metrics': metricsEndpoint(metrics) }, logger }).catch(
      async (err: unknown) => {
        await controller.stop();
        throw err;
      },
    );
    logger.info('metrics listening', { port: http.port, path: '/metrics' });
    return {
      stop: async () => {
        await http.close();
        await controller.stop();
        network.close();
        tcpDiag.close();
      },
    };
  } catch (err) {
    network.close();
    tcpDiag.close();
    throw err;
  }
}

export interface TunnelControllerOptions {
  /** Port of `/readyz` and `/metrics`, READINESS_PORT unless a test picks another. */
  readinessPort?: number;
}

/** `vpn-shoot-client tunnel-controller`: UDP 5400, `/readyz` and `/metrics` on :8080, until stop(). */
export async function startTunnelController(
  settings: TunnelControllerSettings,
  logger: Logger,
  options: TunnelControllerOptions = {},
): Promise<ControllerHandle> {
  const network = Netlink.open();
  try {
    const metrics = new TunnelMetrics();
    const controller = await runTunnelController(settings, {
      clock: systemClock,
      network,
      bindUdp: bindUdp6,
      restartServer: managementRestarter(),
      watchLinks: linkWatcher(logger),
      logger,
      resolveHost: async (host) => (await lookup(host, { all: true })).map((entry) => entry.address),
      observer: metrics,
    });
    const http = await startHttpServer({
      port: options.readinessPort ?? READINESS_PORT,
      endpoints: { '/readyz': readinessEndpoint(() => controller.readiness()), '/metrics': metricsEndpoint(metrics) },
      logger,
    }).catch(async (err: unknown) => {
      await controller.stop();
      throw err;
    });
    logger.info('readiness probe and metrics listening', { port: http.port, paths: '/readyz,/metrics' });
    return {
      stop: async () => {
        await controller.leave(LEAVING_MS);
        await http.close();
        await controller.stop();
        network.close();
      },
    };
  } catch (err) {
    network.close();
    throw err;
  }
}

/** The kernel's link notifications, for TapMonitor.follow(). */
function linkWatcher(logger: Logger): WatchLinks {
  return (onChange) => {
    const events = LinkEvents.open(onChange, (err) => logger.debug('link notifications lost, listing the links', { error: oneLine(err) }));
    return {
      close: () => {
        events.close();
        return Promise.resolve();
      },
    };
  };
}
