import {
  type Logger,
  clientConfigValues,
  clientNetmap,
  createFirewall,
  detectBackend,
  detectTunnelMtu,
  haServerSlice,
  parseClientSettings,
  removeStaleTunnelAddresses,
  renderClientConfig,
  seedClientRules,
  seedClientTag,
  shootClientRules,
  shootClientTag,
  withNetlink,
  writeFileAtomic,
} from '@vpn/common';
import { relayPlan, startConnectRelay } from './connect-relay';

export interface RootPaths {
  configFile: string;
  secretsDir: string;
}

/**
 * Sets the client's iptables rules, clears addresses a previous OpenVPN left on a persistent tunnel device
 * (it would crash with "address already assigned"), starts a shoot client's connect relay unless one
 * already listens, and writes the client config last, so a failed run leaves no config behind.
 */
export async function renderClient(paths: RootPaths, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = parseClientSettings(env);
  const relay = settings.isShootClient ? relayPlan(settings) : undefined;
  await withNetlink(async (netlink) => {
    const tunMtu = settings.autoMtu ? await detectTunnelMtu(netlink) : 0;
    const values = clientConfigValues(settings, { secretsDir: paths.secretsDir, tunMtu });
    const config = renderClientConfig(values);
    const netmap = clientNetmap(settings);

    const firewall = createFirewall(await detectBackend({ log }), log);
    const server = settings.vpnServerIndex;
    const [tag, rules] = settings.isShootClient
      ? [
          shootClientTag(values.device),
          shootClientRules({
            forwardDevice: values.device,
            families: values.ipFamilies,
            mappings: netmap.shootNetworks,
            applyNetmap: netmap.apply,
            ha: settings.ha === undefined || server === undefined ? undefined : { server, vpnNetwork: settings.vpnNetwork },
          }),
        ]
      : [
          seedClientTag(values.device),
          seedClientRules({
            device: values.device,
            mappings: netmap.shootNetworks,
            seedPodNetwork: settings.seedPodNetwork,
            applyNetmap: netmap.apply,
            neighbourSlice: haServerSlice(settings.vpnNetwork, server ?? 0),
          }),
        ];
    await firewall.apply(tag, rules);

    const removed = await removeStaleTunnelAddresses(netlink, values.device);
    if (removed.length > 0) log.info('removed stale addresses from tunnel device', { device: values.device, addresses: removed.join(',') });

    if (relay) {
      const startup = await startConnectRelay(log, env);
      log.info(startup === 'listening' ? 'started connect relay' : 'connect relay already running', {
        listen: `${relay.options.listen.host}:${relay.options.listen.port}`,
      });
    }

    await writeFileAtomic(paths.configFile, config, 0o600);
    log.info('wrote OpenVPN client config', { config: paths.configFile, device: values.device, mtu: tunMtu || undefined });
  });
}
