import * as path from 'node:path';
import type { EnvironmentOf, SEED_SERVER_ENVIRONMENT, SHOOT_CLIENT_ENVIRONMENT } from '@vpn/common';
import type { AddressPlan } from './address-plan';
import type { LabDirs } from './lab-core';
import { containerEnv, networkVariables, OPENVPN_PORT, seedServerCommand, shootClientCommand } from './lab-programs';

/** How the non-HA lab runs this repository's programs: the files of its two containers under the lab's directory, and their environment. */
export interface LabFiles extends LabDirs {
  serverConfig: string;
  clientConfigDir: string;
  statusFile: string;
  clientConfig: string;
}

export function labFiles(dir: string): LabFiles {
  return {
    dir,
    secretsDir: path.join(dir, 'secrets'),
    logDir: path.join(dir, 'logs'),
    serverConfig: path.join(dir, 'server', 'openvpn-server.config'),
    clientConfigDir: path.join(dir, 'server', 'client-config-dir'),
    statusFile: path.join(dir, 'server', 'status', 'openvpn.status'),
    clientConfig: path.join(dir, 'client', 'openvpn-client.config'),
  };
}

/** The Istio cluster name of the lab's vpn-seed-server, which the shoot client sends as its header value. */
export function serverClusterName(plan: AddressPlan): string {
  return `outbound|${OPENVPN_PORT}||vpn-seed-server.shoot--e2e--${plan.spec.name}.svc.cluster.local`;
}

export function seedServerArgs(files: LabFiles): string[] {
  return seedServerCommand(files.serverConfig, files.clientConfigDir, files.secretsDir);
}

export function shootClientArgs(files: LabFiles): string[] {
  return shootClientCommand(files.clientConfig, files.secretsDir);
}

export function seedServerEnv(plan: AddressPlan, files: LabFiles): NodeJS.ProcessEnv {
  return containerEnv<EnvironmentOf<typeof SEED_SERVER_ENVIRONMENT, 'root'>>({
    ...networkVariables(plan),
    IP_FAMILIES: plan.spec.shootFamilies.join(','),
    OPENVPN_STATUS_PATH: files.statusFile,
    POD_NAME: 'vpn-seed-server-6c8d9f7b5-x2x4z',
  });
}

export function shootClientEnv(plan: AddressPlan): NodeJS.ProcessEnv {
  return containerEnv<EnvironmentOf<typeof SHOOT_CLIENT_ENVIRONMENT, 'root'>>({
    IS_SHOOT_CLIENT: 'true',
    ENDPOINT: plan.endpoint,
    OPENVPN_PORT: String(plan.ingressPort),
    REVERSED_VPN_HEADER: serverClusterName(plan),
    REVERSED_VPN_HEADER_KEY: plan.spec.headerKey,
    IP_FAMILIES: plan.spec.shootFamilies.join(','),
    ...networkVariables(plan),
    POD_NAME: 'vpn-shoot-7f9c6d8b5-kpqcl',
  });
}
