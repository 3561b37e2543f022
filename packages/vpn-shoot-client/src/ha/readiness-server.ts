import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from './ports';

/** The reference's ReadHeaderTimeout. */
const HEADERS_TIMEOUT_MS = 2000;

export interface RunningReadinessServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `/readyz` as the reference serves it: 200 `ok` or 503 with the reason, for any method; 404 elsewhere.
 * Port 0 picks a free one (tests); the host defaults to all addresses.
 */
export async function startReadinessServer(port: number, readiness: () => Readiness, host?: string): Promise<RunningReadinessServer> {
  const server = createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: HEADERS_TIMEOUT_MS }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const { status, body } = path === '/readyz' ? answer(readiness()) : { status: 404, body: 'not found' };
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
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

function answer(readiness: Readiness): { status: number; body: string } {
  return readiness.ready ? { status: 200, body: 'ok' } : { status: 503, body: readiness.reason };
}
