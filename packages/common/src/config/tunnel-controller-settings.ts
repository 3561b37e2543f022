import { InputError } from '../errors';
import type { Cidr } from '../net/cidr';
import { EnvReader } from './env-reader';
import { readCount, readShootNetworks, readVpnNetwork, type ShootNetworks } from './shared';
import { SHOOT_CLIENT_ENVIRONMENT as V } from './shoot-client-environment';
import type { DefaultedVariable } from './variables';

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
  const haVpnClients = readCount(read, V.TUNNEL_HA_VPN_CLIENTS);
  const windowSize = readPositive(read, V.WATCHDOG_WINDOW_SIZE);
  const threshold = readPositive(read, V.WATCHDOG_THRESHOLD);
  const cooldown = readPositive(read, V.WATCHDOG_COOLDOWN);
  if (threshold > windowSize) {
    throw new InputError(V.WATCHDOG_THRESHOLD.name, `must not exceed ${V.WATCHDOG_WINDOW_SIZE.name} (${windowSize}), got ${threshold}`);
  }
  const vpnNetwork = readVpnNetwork(read, V.VPN_NETWORK);
  const seedPodNetwork = read.value(V.SEED_POD_NETWORK);
  const shootNetworks = readShootNetworks(read, V);
  const endpoint = read.value(V.TUNNEL_ENDPOINT);
  return { haVpnClients, watchdog: { windowSize, threshold, cooldown }, vpnNetwork, seedPodNetwork, shootNetworks, endpoint };
}

function readPositive(read: EnvReader, variable: DefaultedVariable<'int'>): number {
  const value = read.value(variable);
  if (value <= 0) throw new InputError(variable.name, `must be greater than 0, got ${value}`);
  return value;
}
