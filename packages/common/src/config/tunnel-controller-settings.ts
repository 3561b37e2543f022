import { InputError } from '../errors';
import type { Cidr } from '../net/cidr';
import { EnvReader } from './env-reader';
import { NO_SHOOT_NETWORKS, readCount, readShootNetworks, readVpnNetwork, type ShootNetworks } from './shared';

/** Failure window of the watchdog (one per server in our design). */
export interface WatchdogSettings {
  /** WATCHDOG_WINDOW_SIZE: events remembered, > 0. */
  windowSize: number;
  /** WATCHDOG_THRESHOLD: failures in the window that trigger a restart, 1..windowSize. */
  threshold: number;
  /** WATCHDOG_COOLDOWN: events ignored after a restart, > 0. */
  cooldown: number;
}

/** Settings of the shoot-side tunnel controller, gardener/vpn2 pkg/config/tunnelcontroller.go. */
export interface TunnelControllerSettings {
  /** HA_VPN_CLIENTS (default 2). The reference bounds its watchdog loop by it; our servers are the taps present. */
  haVpnClients: number;
  watchdog: WatchdogSettings;
  vpnNetwork: Cidr;
  /** When given, announced pod IPs must lie in it or in 241.0.0.0/8. */
  seedPodNetwork: Cidr | undefined;
  /** SHOOT_*_NETWORKS when given (Gardener gives this container none): announced pod IPs must lie outside them. */
  shootNetworks: ShootNetworks;
  /** ENDPOINT when given: announced pod IPs must not be one of its addresses (a route to it would cut the tunnels). */
  endpoint: string | undefined;
}

export function parseTunnelControllerSettings(env: NodeJS.ProcessEnv): TunnelControllerSettings {
  const read = new EnvReader(env);
  const haVpnClients = readCount(read, 'HA_VPN_CLIENTS', 2);
  const windowSize = readPositive(read, 'WATCHDOG_WINDOW_SIZE', 20);
  const threshold = readPositive(read, 'WATCHDOG_THRESHOLD', 10);
  const cooldown = readPositive(read, 'WATCHDOG_COOLDOWN', 20);
  if (threshold > windowSize) {
    throw new InputError(
      'WATCHDOG_THRESHOLD',
      `must not exceed WATCHDOG_WINDOW_SIZE (${windowSize}), got ${threshold}`,
    );
  }
  const vpnNetwork = readVpnNetwork(read);
  const seedPodNetwork = read.cidr('SEED_POD_NETWORK');
  const shootNetworks = readShootNetworks(read, NO_SHOOT_NETWORKS);
  const endpoint = read.raw('ENDPOINT');
  return { haVpnClients, watchdog: { windowSize, threshold, cooldown }, vpnNetwork, seedPodNetwork, shootNetworks, endpoint };
}

function readPositive(read: EnvReader, name: string, fallback: number): number {
  const value = read.int(name, fallback);
  if (value <= 0) throw new InputError(name, `must be greater than 0, got ${value}`);
  return value;
}
