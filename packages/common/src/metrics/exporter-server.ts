/** `vpn-server exporter`: Prometheus metrics on :15000 `/metrics`, a small HTML page on `/`. */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { oneLine } from '../errors';
import { createExporterMetrics, ExporterMetrics, ExporterMetricsOptions } from './exporter-metrics';

export const EXPORTER_PORT = 15000;

export interface ExporterLimits {
  /** Connections beyond this are closed as they arrive. */
  maxConnections: number;
  /** A request must have arrived whole within this (also bounds the headers), and a response must keep moving. */
  requestTimeoutMs: number;
  /** How often Node looks for requests over their time; its default of 30 s would let one live for 40. */
  timeoutCheckIntervalMs: number;
}

/**
 * Prometheus scrapes over one connection per replica (two in an HA monitoring stack), and a person may add a
 * curl: 16 leaves room for that and bounds the sockets a misbehaving client can hold open. The time limit
 * is the reference's ReadTimeout and WriteTimeout.
 */
export const EXPORTER_LIMITS: ExporterLimits = { maxConnections: 16, requestTimeoutMs: 10_000, timeoutCheckIntervalMs: 1_000 };

const INDEX_PAGE = `<!DOCTYPE html>
<html>
<head><title>OpenVPN Exporter</title></head>
<body>
<h1>OpenVPN Exporter</h1>
<p><a href="/metrics">Metrics</a></p>
</body>
</html>
`;

export interface ExporterOptions extends ExporterMetricsOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Default: all addresses, IPv6 and IPv4. */
  host?: string;
  /** Default EXPORTER_LIMITS; tests shrink them. */
  limits?: ExporterLimits;
}

export interface RunningExporter {
  /** The port actually bound. */
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse, metrics: ExporterMetrics, options: ExporterOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/') {
    send(res, 200, 'text/html; charset=utf-8', INDEX_PAGE);
  } else if (path === '/metrics') {
    try {
      send(res, 200, metrics.contentType, await metrics.scrape());
    } catch (err) {
      options.logger.error('metrics scrape failed', { error: oneLine(err) });
      send(res, 500, 'text/plain; charset=utf-8', `scrape failed: ${oneLine(err)}\n`);
    }
  } else {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
}

export async function startExporter(options: ExporterOptions): Promise<RunningExporter> {
  const metrics = createExporterMetrics(options);
  const limits = options.limits ?? EXPORTER_LIMITS;
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
    },
    (req, res) => {
      handle(req, res, metrics, options).catch((err: unknown) => {
        options.logger.error('metrics request failed', { error: oneLine(err) });
        res.destroy();
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  // Also bounds the response: a client that stops reading loses its socket after this much inactivity.
  server.setTimeout(limits.requestTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  options.logger.info('metrics exporter listening', { address, port, status_paths: options.statusPaths.join(',') });
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
