import { applySysctls, type Logger, SERVER_SETUP_SYSCTLS } from '@vpn/common';

/** Init container: pods on IPv4-only nodes (e.g. GKE) start with IPv6 disabled, and the transfer network is IPv6. */
export async function setupServer(log: Logger): Promise<void> {
  for (const outcome of await applySysctls(SERVER_SETUP_SYSCTLS)) log.info('sysctl', { ...outcome });
}
