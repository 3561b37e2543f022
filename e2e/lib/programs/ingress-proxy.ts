import type { Server } from 'node:net';
import { createConnectProxy, routeByHeader, type Upstream } from '../connect-proxy';
import { programArgument, say } from './program-io';

/** The seed's Istio ingress stand-in; one listener per header key, as Istio's ports 8443 and 8132. */
export interface IngressConfig {
  host: string;
  listeners: { port: number; headerKey: string }[];
  /** Header value (the Istio cluster name) -> the vpn-seed-server behind it. */
  routes: Record<string, Upstream>;
}

const config = programArgument<IngressConfig>();
const routes = new Map(Object.entries(config.routes));
const listening = config.listeners.map(({ port, headerKey }) => {
  const server = createConnectProxy({
    route: routeByHeader(headerKey, routes),
    connectTimeoutMs: 3_000,
    log: (l) => say(`[${headerKey}] ${l}`),
    onHead: (head) => say(`[${headerKey}] request head ${head.toString('base64')}`),
  });
  return new Promise<Server>((resolve) => server.listen({ host: config.host, port }, () => resolve(server)));
});
void Promise.all(listening).then(() => say(`listening on ${config.listeners.map((l) => `${l.port} (${l.headerKey})`).join(', ')}`));
