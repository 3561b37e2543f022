import * as path from 'node:path';
import type { EnvironmentOf, SEED_SERVER_ENVIRONMENT, SHOOT_CLIENT_ENVIRONMENT } from '@vpn/common';
import type { AddressPlan } from './address-plan';

/**
 * How every lab runs this repository's programs: by absolute paths (OpenVPN's hooks get no PATH either),
 * with every file under the lab's directory instead of `/`, and with the environment Gardener gives
 * the containers (docs/architecture.md, "Environment variables").
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * `LAB_PROGRAMS=bundle` runs the images' files (dist/bundle, `npm run bundle` first) instead of the
 * TypeScript build, so that the benchmarks measure what ships; `LAB_NODE_OPTIONS` becomes every lab
 * program's NODE_OPTIONS, to compare Node flags.
 */
const BUNDLED = process.env.LAB_PROGRAMS === 'bundle';
const LAB_NODE_OPTIONS = process.env.LAB_NODE_OPTIONS;
const program = (name: string): string =>
  BUNDLED ? path.join(REPO_ROOT, 'dist', 'bundle', name, `${name}.js`) : path.join(REPO_ROOT, 'packages', name, 'bin', name);
export const SEED_SERVER = program('vpn-seed-server');
export const SHOOT_CLIENT = program('vpn-shoot-client');

/** The envoy sidecar's group: the server's nat OUTPUT NETMAP applies to this group only. */
export const ENVOY_GID = 31415;
export const ENVOY_PORT = 9443;
export const OPENVPN_PORT = 1194;
export const SHOOT_HOST_PORT = 8080;

/** The root command of a vpn-seed-server container. */
export function seedServerCommand(configFile: string, clientConfigDir: string, secretsDir: string): string[] {
  return [SEED_SERVER, '--config-file', configFile, '--client-config-dir', clientConfigDir, '--secrets-dir', secretsDir];
}

/** The root command of an OpenVPN client container (vpn-shoot, or vpn-client-s of a kube-apiserver pod). */
export function shootClientCommand(configFile: string, secretsDir: string): string[] {
  return [SHOOT_CLIENT, '--config-file', configFile, '--secrets-dir', secretsDir];
}

type ServerRoot = EnvironmentOf<typeof SEED_SERVER_ENVIRONMENT, 'root'>;
type ClientRoot = EnvironmentOf<typeof SHOOT_CLIENT_ENVIRONMENT, 'root'>;
type PathController = EnvironmentOf<typeof SHOOT_CLIENT_ENVIRONMENT, 'path-controller'>;
/** Names that the server, the OpenVPN clients and the path controller all read: another name fails to compile. */
type ReadByAll<Name extends keyof ServerRoot & keyof ClientRoot & keyof PathController> = Partial<Record<Name, string>>;

/** The shoot's networks and the seed pod network, which every container that routes between them gets. */
export function networkVariables(
  plan: Pick<AddressPlan, 'shootNetworks' | 'seedPodNetwork'>,
): ReadByAll<'SHOOT_SERVICE_NETWORKS' | 'SHOOT_POD_NETWORKS' | 'SHOOT_NODE_NETWORKS' | 'SEED_POD_NETWORK'> {
  return {
    SHOOT_SERVICE_NETWORKS: plan.shootNetworks.service.join(','),
    SHOOT_POD_NETWORKS: plan.shootNetworks.pod.join(','),
    SHOOT_NODE_NETWORKS: plan.shootNetworks.node.join(','),
    SEED_POD_NETWORK: plan.seedPodNetwork,
  };
}

/**
 * Only what a container would have: no variable of the caller leaks into a lab program. The type argument
 * names the subcommand's variables in its program's table, so a variable the program does not read fails to compile.
 */
export function containerEnv<Variables>(variables: Variables): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...(LAB_NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: LAB_NODE_OPTIONS }),
    ...variables,
  };
}
