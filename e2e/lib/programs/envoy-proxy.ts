import { createConnectProxy, routeByAuthority } from '../connect-proxy';
import { programArgument, say } from './program-io';

/** The envoy sidecar stand-in; started with group 31415 so the server's nat OUTPUT NETMAP applies to it. */
export interface EnvoyConfig {
  host: string;
  port: number;
}

const config = programArgument<EnvoyConfig>();
createConnectProxy({ route: routeByAuthority, connectTimeoutMs: 1_500, log: say }).listen({ host: config.host, port: config.port }, () =>
  say(`listening on ${config.port} gid=${process.getgid?.()}`),
);
