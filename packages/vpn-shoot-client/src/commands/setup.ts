import {
  applySysctls,
  clientSetupSysctls,
  ensurePersistentTaps,
  haTapSysctls,
  type Logger,
  parseClientSettings,
  withNetlink,
} from '@vpn/common';

/**
 * Init container: the kernel settings of the client's pod (gardener/vpn2 pkg/vpn_client/sysctl.go); in HA
 * also no duplicate address detection, no router advertisements or redirects, and one persistent tap per
 * server, created after those defaults so they inherit them, and set once more per tap in case it existed.
 */
export async function setupClient(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = parseClientSettings(env);
  const changes = clientSetupSysctls({ isShootClient: settings.isShootClient, ha: settings.ha !== undefined });
  for (const outcome of await applySysctls(changes)) log.info('sysctl', { ...outcome });
  if (settings.ha === undefined || settings.ha.vpnServers === 0) return;
  const taps = Array.from({ length: settings.ha.vpnServers }, (_, s) => `tap${s}`);
  const created = await withNetlink((netlink) => ensurePersistentTaps(netlink, taps));
  log.info('persistent tap devices in place', { devices: taps.join(','), created: created.join(',') || undefined });
  for (const outcome of await applySysctls(taps.flatMap(haTapSysctls))) log.info('sysctl', { ...outcome });
}
