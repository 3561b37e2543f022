/**
 * What the exporter serves: OpenVPN status metrics for every status path and the netstat counters, both
 * rendered from decimal text so that 64-bit counters stay exact, then prom-client's process/Node.js metrics
 * (the reference exposes Go's process collectors the same way). Every scrape re-reads the files.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { oneLine } from '../errors';
import type { Logger } from '../log';
import type { OpenVpnStatus } from '../openvpn/status';
import { parseStatusFile } from '../openvpn/status-file';
import { renderFamily } from './exposition';
import { readNetStats } from './netstat';
import { netstatFamilies } from './netstat-metrics';
import { openvpnFamilies, StatusScrape, statusSeries } from './openvpn-metrics';

export interface ExporterMetricsOptions {
  /** OPENVPN_STATUS_PATH split on `,`; each becomes a `status_path` label value. */
  statusPaths: readonly string[];
  /** `/proc` in production; a fixture directory in tests. */
  procRoot: string;
  logger: Logger;
  /** How a status file is read; tests count and time the reads. */
  readStatus?: (path: string) => Promise<OpenVpnStatus>;
}

export interface ExporterMetrics {
  readonly contentType: string;
  /**
   * Reads the files and returns the text exposition. Scrapes that arrive while one is running share its
   * result: N concurrent scrapers cost one read of each file, not N.
   */
  scrape(): Promise<string>;
}

async function scrapeStatus(statusPath: string, read: (path: string) => Promise<OpenVpnStatus>, logger: Logger): Promise<StatusScrape> {
  try {
    return { statusPath, series: statusSeries(statusPath, await read(statusPath)) };
  } catch (err) {
    logger.warn('cannot scrape OpenVPN status', { error: oneLine(err) });
    return { statusPath, series: null };
  }
}

export function createExporterMetrics({
  statusPaths,
  procRoot,
  logger,
  readStatus = parseStatusFile,
}: ExporterMetricsOptions): ExporterMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const scrapeOnce = async (): Promise<string> => {
    const scrapes = await Promise.all(statusPaths.map((p) => scrapeStatus(p, readStatus, logger)));
    const stats = await readNetStats(procRoot).catch((err: unknown) => {
      logger.error('cannot read network statistics', { error: oneLine(err) });
      return null;
    });
    const families = [...openvpnFamilies(scrapes), ...netstatFamilies(stats, logger)].map(renderFamily);
    return `${[...families, (await registry.metrics()).trimEnd()].join('\n\n')}\n`;
  };

  let inFlight: Promise<string> | undefined;
  return {
    contentType: registry.contentType,
    scrape(): Promise<string> {
      inFlight ??= scrapeOnce().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
