/**
 * The exporter's registry: OpenVPN status metrics for every status path, the netstat counters, and
 * prom-client's process/Node.js metrics (the reference exposes Go's process collectors the same way).
 * Every scrape re-reads the files.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { oneLine } from '../errors';
import type { Logger } from '../log';
import { parseStatusFile } from '../openvpn/status';
import { readNetStats } from './netstat';
import { NetstatMetrics } from './netstat-metrics';
import { OpenVpnStatusMetrics, StatusScrape, statusSeries } from './openvpn-metrics';

export interface ExporterMetricsOptions {
  /** OPENVPN_STATUS_PATH split on `,`; each becomes a `status_path` label value. */
  statusPaths: readonly string[];
  /** `/proc` in production; a fixture directory in tests. */
  procRoot: string;
  logger: Logger;
}

export interface ExporterMetrics {
  readonly registry: Registry;
  /** Reads the files, updates the metrics and returns the text exposition. */
  scrape(): Promise<string>;
}

async function scrapeStatus(statusPath: string, logger: Logger): Promise<StatusScrape> {
  try {
    return { statusPath, series: statusSeries(statusPath, await parseStatusFile(statusPath)) };
  } catch (err) {
    logger.warn('cannot scrape OpenVPN status', { error: oneLine(err) });
    return { statusPath, series: null };
  }
}

export function createExporterMetrics({ statusPaths, procRoot, logger }: ExporterMetricsOptions): ExporterMetrics {
  const registry = new Registry();
  const openvpn = new OpenVpnStatusMetrics(registry);
  const netstat = new NetstatMetrics(registry, logger);
  collectDefaultMetrics({ register: registry });

  const scrapeOnce = async (): Promise<string> => {
    const scrapes = await Promise.all(statusPaths.map((p) => scrapeStatus(p, logger)));
    const stats = await readNetStats(procRoot).catch((err: unknown) => {
      logger.error('cannot read network statistics', { error: oneLine(err) });
      return null;
    });
    openvpn.update(scrapes);
    netstat.update(stats);
    return registry.metrics();
  };

  // Scrapes run one after another, so concurrent ones never interleave updates of the shared metrics.
  let previous: Promise<unknown> = Promise.resolve();
  return {
    registry,
    scrape(): Promise<string> {
      const result = previous.then(scrapeOnce);
      previous = result.catch(() => undefined);
      return result;
    },
  };
}
