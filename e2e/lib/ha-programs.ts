import * as path from 'node:path';
import type { EnvironmentOf, SEED_SERVER_ENVIRONMENT, SHOOT_CLIENT_ENVIRONMENT } from '@vpn/common';
import { addressOf, HA_SERVERS, HEADER_KEY, haServerClusterName, ipv4Of, seedIpFamilies, seedPrimaryFamily, type HaPlan } from './ha-plan';
import type { LabDirs } from './lab-core';
import { containerEnv, networkVariables, OPENVPN_PORT, seedServerCommand, shootClientCommand } from './lab-programs';

/** How an HA lab runs this repository's programs: the files of every container under the lab's directory, and their environment. */
export interface HaFiles extends LabDirs {
  serverConfig(server: number): string;
  serverCcdDir(server: number): string;
  serverStatus(server: number): string;
  /** Config of kube-apiserver pod k's vpn-client-s container. */
  seedClientConfig(client: number, server: number): string;
  /** Config of vpn-shoot-k's vpn-shoot-s<s> container. */
  shootClientConfig(client: number, server: number): string;
}

export function haFiles(dir: string): HaFiles {
  return {
    dir,
    secretsDir: path.join(dir, 'secrets'),
    logDir: path.join(dir, 'logs'),
    serverConfig: (s) => path.join(dir, `server-${s}`, 'openvpn-server.config'),
    serverCcdDir: (s) => path.join(dir, `server-${s}`, 'client-config-dir'),
    serverStatus: (s) => path.join(dir, `server-${s}`, 'status', 'openvpn.status'),
    seedClientConfig: (k, s) => path.join(dir, `kube-apiserver-${k}`, `openvpn-client-${s}.config`),
    shootClientConfig: (k, s) => path.join(dir, `vpn-shoot-${k}`, `openvpn-client-${s}.config`),
  };
}

export type BondingMode = 'active-backup' | 'balance-rr';

export function serverArgs(files: HaFiles, s: number): string[] {
  return seedServerCommand(files.serverConfig(s), files.serverCcdDir(s), files.secretsDir);
}

export function clientArgs(files: HaFiles, configFile: string): string[] {
  return shootClientCommand(configFile, files.secretsDir);
}

/** Container `vpn-seed-server` of StatefulSet pod vpn-seed-server-s (and its init container `setup`). */
export function serverEnv(plan: HaPlan, files: HaFiles, s: number): NodeJS.ProcessEnv {
  return containerEnv<EnvironmentOf<typeof SEED_SERVER_ENVIRONMENT, 'root'>>({
    ...networkVariables(plan),
    IP_FAMILIES: 'IPv4,IPv6',
    LOCAL_NODE_IP: ipv4Of(plan.seedGateways),
    OPENVPN_STATUS_PATH: files.serverStatus(s),
    POD_NAME: `vpn-seed-server-${s}`,
    IS_HA: 'true',
    HA_VPN_CLIENTS: String(plan.spec.shootClients),
  });
}

/** Container `vpn-client-s` of a kube-apiserver pod: connects to server s directly. */
export function seedClientEnv(plan: HaPlan, s: number): NodeJS.ProcessEnv {
  return containerEnv<ClientEnv>({
    ...networkVariables(plan),
    ENDPOINT: addressOf(plan.servers[s], seedPrimaryFamily(plan.spec)),
    OPENVPN_PORT: String(OPENVPN_PORT),
    VPN_SERVER_INDEX: String(s),
    IS_HA: 'true',
    HA_VPN_SERVERS: String(HA_SERVERS),
    HA_VPN_CLIENTS: String(plan.spec.shootClients),
    IP_FAMILIES: seedIpFamilies(plan.spec),
  });
}

/** Init container `vpn-client-init`: the env of vpn-client-0 plus the pod's identity. */
export function seedClientSetupEnv(plan: HaPlan, k: number): NodeJS.ProcessEnv {
  return { ...seedClientEnv(plan, 0), POD_NAME: `kube-apiserver-6f7d8c9b4-${k}x2kq`, NAMESPACE: `shoot--e2e--${plan.spec.name}` };
}

/** Container `vpn-path-controller`; Gardener passes no BONDING_MODE here, the lab does for balance-rr. */
export function pathControllerEnv(plan: HaPlan, k: number, mode: BondingMode): NodeJS.ProcessEnv {
  return containerEnv<EnvironmentOf<typeof SHOOT_CLIENT_ENVIRONMENT, 'path-controller'>>({
    ...networkVariables(plan),
    IS_HA: 'true',
    HA_VPN_CLIENTS: String(plan.spec.shootClients),
    POD_IP: addressOf(plan.seedClients[k], seedPrimaryFamily(plan.spec)),
    ...(mode === 'balance-rr' ? { BONDING_MODE: mode } : {}),
  });
}

/** Init container `vpn-shoot-init` of vpn-shoot-k. */
export function shootClientSetupEnv(plan: HaPlan, k: number): NodeJS.ProcessEnv {
  return containerEnv<ClientEnv>({
    IP_FAMILIES: 'IPv4,IPv6',
    IS_SHOOT_CLIENT: 'true',
    POD_NAME: `vpn-shoot-${k}`,
    IS_HA: 'true',
    HA_VPN_SERVERS: String(HA_SERVERS),
    HA_VPN_CLIENTS: String(plan.spec.shootClients),
  });
}

/** Container `vpn-shoot-s<s>` of vpn-shoot-k: dials server s through the ingress, which routes on the header. */
export function shootClientEnv(plan: HaPlan, k: number, s: number): NodeJS.ProcessEnv {
  return containerEnv<ClientEnv>({
    ...networkVariables(plan),
    IP_FAMILIES: 'IPv4,IPv6',
    ENDPOINT: plan.endpoint,
    OPENVPN_PORT: String(plan.ingressPort),
    REVERSED_VPN_HEADER: haServerClusterName(plan, s),
    REVERSED_VPN_HEADER_KEY: HEADER_KEY,
    IS_SHOOT_CLIENT: 'true',
    IS_HA: 'true',
    VPN_SERVER_INDEX: String(s),
    POD_NAME: `vpn-shoot-${k}`,
  });
}

/** Container `tunnel-controller` of a vpn-shoot pod. */
export function tunnelControllerEnv(plan: HaPlan): NodeJS.ProcessEnv {
  return containerEnv<EnvironmentOf<typeof SHOOT_CLIENT_ENVIRONMENT, 'tunnel-controller'>>({
    HA_VPN_CLIENTS: String(plan.spec.shootClients),
    WATCHDOG_WINDOW_SIZE: '20',
    WATCHDOG_THRESHOLD: '8',
    WATCHDOG_COOLDOWN: '20',
  });
}

type ClientEnv = EnvironmentOf<typeof SHOOT_CLIENT_ENVIRONMENT, 'root'>;
