import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  type Logger,
  createFirewall,
  detectBackend,
  detectTunnelMtu,
  haShootClientCcdName,
  parseServerSettings,
  renderHaShootClientCcd,
  renderServerConfig,
  renderShootClientCcd,
  seedServerRootRules,
  SEED_SERVER_ROOT_TAG,
  serverConfigValues,
  serverNetmapPairs,
  SHOOT_CLIENT_CCD_NAME,
  withNetlink,
  writeFileAtomic,
} from '@vpn/common';
import { selfCommand } from '../self-command';

export interface RootPaths {
  configFile: string;
  clientConfigDir: string;
  secretsDir: string;
}

/**
 * Renders the server config and client-config-dir files and sets the envoy NETMAP rules (non-HA).
 * Everything is computed and rendered before anything is changed, and the config file is written last,
 * so a failed run leaves no config that OpenVPN could start with half-applied state.
 */
export async function renderServer(paths: RootPaths, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = parseServerSettings(env);
  const tunMtu = settings.autoMtu ? await withNetlink(detectTunnelMtu) : 0;
  const values = serverConfigValues(settings, {
    secretsDir: paths.secretsDir,
    clientConfigDir: paths.clientConfigDir,
    hookCommand: selfCommand(),
    tunMtu,
  });
  const config = renderServerConfig(values);
  const ccdFiles = new Map([[SHOOT_CLIENT_CCD_NAME, renderShootClientCcd(values)]]);
  for (let k = 0; k < Math.max(values.haVpnClients, 0); k++) ccdFiles.set(haShootClientCcdName(k), renderHaShootClientCcd(values, k));

  if (!settings.ha) {
    const firewall = createFirewall(await detectBackend({ log }), log);
    await firewall.apply(SEED_SERVER_ROOT_TAG, seedServerRootRules(serverNetmapPairs(settings)));
  }

  await fs.mkdir(paths.clientConfigDir, { recursive: true, mode: 0o750 });
  for (const [name, content] of ccdFiles) await writeFileAtomic(path.join(paths.clientConfigDir, name), content, 0o600);
  await writeFileAtomic(paths.configFile, config, 0o600);
  log.info('wrote OpenVPN server config', {
    config: paths.configFile,
    ccd: paths.clientConfigDir,
    device: values.device,
    network: values.openvpnNetwork,
    shoot_networks: values.shootNetworks.join(','),
    mtu: tunMtu || undefined,
  });
}
