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

/** How the lab's shoot client reaches the ingress: our connect relay, or OpenVPN's own `http-proxy` as before it. */
export type ClientVia = 'relay' | 'http-proxy';

/**
 * The client config the root command rendered before the connect relay: `http-proxy` with the routing
 * header, `remote <ENDPOINT>`, `connect-retry 1 5` and `proto` by IP_FAMILIES (the reference's config;
 * e2e/unit pins it against the rendering of a relay config).
 */
export function httpProxyConfig(config: string, env: NodeJS.ProcessEnv): string {
  const families = (env.IP_FAMILIES ?? 'IPv4').split(',');
  const proto = families.length === 2 ? 'tcp-client' : families[0] === 'IPv6' ? 'tcp6-client' : 'tcp4-client';
  const replacements: Array<[RegExp, string]> = [
    [
      /^# reconnect at once.*\nconnect-retry 0 5\n# restart when.*\nserver-poll-timeout 10\n/m,
      '# retry every second, increase retry timeout to max 5\nconnect-retry 1 5\n',
    ],
    [/^proto tcp4-client$/m, `proto ${proto}`],
    [
      /^management /m,
      `http-proxy ${env.ENDPOINT} ${env.OPENVPN_PORT ?? 8132}\nhttp-proxy-option CUSTOM-HEADER ${env.REVERSED_VPN_HEADER_KEY ?? 'Reversed-VPN'} ${env.REVERSED_VPN_HEADER ?? 'invalid-host'}\nmanagement `,
    ],
    [/^# vpn-shoot-client connect-relay .*\nremote 127\.0\.0\.1 \d+$/m, `remote ${env.ENDPOINT}`],
  ];
  return replacements.reduce((text, [from, to]) => {
    if (!from.test(text)) throw new Error(`client config has no ${from}`);
    return text.replace(from, to);
  }, config);
}
