import { applySysctls, clientSetupSysctls, type Logger, parseClientSettings } from '@vpn/common';

/** Init container: the kernel settings of the client's pod (reference §4.4; HA adds accept_dad=0). */
export async function setupClient(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = parseClientSettings(env);
  const changes = clientSetupSysctls({ isShootClient: settings.isShootClient, ha: settings.ha !== undefined });
  for (const outcome of await applySysctls(changes)) log.info('sysctl', { ...outcome });
}
