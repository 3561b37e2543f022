import { DEFAULT_VPN_NETWORK, type TunnelControllerSettings } from '@vpn/common';

/** Gardener's tunnel controller environment (no shoot networks, no ENDPOINT), with overrides. */
export function tunnelSettings(overrides: Partial<TunnelControllerSettings> = {}): TunnelControllerSettings {
  return {
    haVpnClients: 2,
    watchdog: { windowSize: 20, threshold: 8, cooldown: 20 },
    vpnNetwork: DEFAULT_VPN_NETWORK,
    seedPodNetwork: undefined,
    shootNetworks: { services: [], pods: [], nodes: [] },
    endpoint: undefined,
    ...overrides,
  };
}

/** A resolver for tests that must not look anything up. */
export function noLookups(host: string): Promise<string[]> {
  return Promise.reject(new Error(`unexpected lookup of ${host}`));
}
