import { ManagementClient } from '@vpn/common';
import type { ServerRestarter } from './ports';
import { MANAGEMENT_HOST, MANAGEMENT_PORT_BASE, MANAGEMENT_TIMEOUT_MS } from './timing';

/**
 * Restarts the OpenVPN client of server s through its management interface (127.0.0.1:7505+s); the container
 * keeps running. The reference sends SIGHUP, a hard restart that closes and reopens the tap and so drops the
 * return routes on it; SIGUSR1 reconnects the session and, with `persist-tun`, keeps the tap, its addresses
 * and routes, which is all a silent path needs.
 */
export function managementRestarter(host = MANAGEMENT_HOST, portBase = MANAGEMENT_PORT_BASE): ServerRestarter {
  return async (server) => {
    const client = await ManagementClient.connect(host, portBase + server, MANAGEMENT_TIMEOUT_MS);
    try {
      await client.signal('SIGUSR1', MANAGEMENT_TIMEOUT_MS);
    } finally {
      await client.close();
    }
  };
}
