import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { oneLine, type Logger } from '@vpn/common';
import type { Readiness } from './ports';

export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
}

/** Answers one path, for any method. */
export type HttpEndpoint = () => HttpReply | Promise<HttpReply>;

export interface HttpLimits {
  /** Connections beyond this are closed as they arrive. */
  maxConnections: number;
  /** A request's headers must have arrived within this; the reference's ReadHeaderTimeout for `/readyz`. */
  requestTimeoutMs: number;
  /** How often Node looks for requests over their time; its default of 30 s would let one live for 32. */
  timeoutCheckIntervalMs: number;
  /** A response that stops moving (a scraper that stops reading) loses its socket after this. */
  idleTimeoutMs: number;
}

/**
 * A kubelet probe, Prometheus (one connection per replica of an HA monitoring stack) and a person with
 * curl: 16 connections leave room for that and bound what a misbehaving client can hold open, as the
 * exporter does.
 */
export const CONTROLLER_HTTP_LIMITS: HttpLimits = {
  maxConnections: 16,
  requestTimeoutMs: 2000,
  timeoutCheckIntervalMs: 1000,
  idleTimeoutMs: 10_000,
};

export interface HttpServerOptions {
  /** 0 picks a free one (tests). */
  port: number;
  /** Default: all addresses. */
  host?: string;
  endpoints: Readonly<Record<string, HttpEndpoint>>;
  logger: Logger;
  limits?: HttpLimits;
}

export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

/** The HTTP side of a controller: its endpoints by path (query ignored), 404 elsewhere. */
export async function startHttpServer({
  port,
  host,
  endpoints,
  logger,
  limits = CONTROLLER_HTTP_LIMITS,
}: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer(
    {
      headersTimeout: limits.requestTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
    },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const endpoint = Object.hasOwn(endpoints, path) ? endpoints[path] : () => ({ status: 404, contentType: TEXT, body: 'not found' });
      Promise.resolve()
        .then(endpoint)
        .catch((err: unknown): HttpReply => {
          logger.error('http request failed', { path, error: oneLine(err) });
          return { status: 500, contentType: TEXT, body: `failed: ${oneLine(err)}` };
        })
        .then(({ status, contentType, body }) => {
          res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        })
        .catch((err: unknown) => {
          logger.error('http response failed', { path, error: oneLine(err) });
          res.destroy();
        });
    },
  );
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.idleTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** `/readyz` as the reference serves it: 200 `ok` or 503 with the reason. */
export function readinessEndpoint(readiness: () => Readiness): HttpEndpoint {
  return () => {
    const { ready, reason } = readiness();
    return ready ? { status: 200, contentType: TEXT, body: 'ok' } : { status: 503, contentType: TEXT, body: reason };
  };
}

/** `/metrics` in Prometheus' text format. */
export function metricsEndpoint(metrics: { readonly contentType: string; metrics(): Promise<string> }): HttpEndpoint {
  return async () => ({ status: 200, contentType: metrics.contentType, body: await metrics.metrics() });
}
