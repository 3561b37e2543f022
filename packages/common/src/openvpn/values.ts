/**
 * The inputs of the rendered OpenVPN files. They are derived from validated settings by `plan/`
 * and consumed by the renderers; keeping them as plain values keeps rendering pure and testable.
 */
import type { IpFamily } from '../net/family';

export interface ServerConfigValues {
  /** `tun0` (non-HA) or `tap0` (HA). */
  device: string;
  isHA: boolean;
  /** HA only: the server index s from POD_NAME `...-s` (0..2); -1 in non-HA. */
  vpnIndex: number;
  /** non-HA: VPN_NETWORK itself; HA: the server's /112 slice. CIDR text. */
  openvpnNetwork: string;
  /** Shoot networks as routed through the tunnel (IPv4 collapsed to 242/243/244.0.0.0/8 when netmapped), plain string-sorted, de-duplicated. */
  shootNetworks: string[];
  /** The networks the `up` hook routes into the device (`--shoot-network`); none renders no flag. */
  upHookRoutes: string[];
  /** SEED_POD_NETWORK as CIDR text, or '' when unset. */
  seedPodNetwork: string;
  maxRoutesPerClient: number;
  /** 0 = no `max-clients` line (OpenVPN's default). */
  maxClients: number;
  /** Number of HA shoot clients (ccd files vpn-shoot-client-<k>); -1 in non-HA. */
  haVpnClients: number;
  /** 0 = no `tun-mtu` line. */
  tunMtu: number;
  statusPath: string;
  /** Default `/srv/secrets`. */
  secretsDir: string;
  /** Default `/client-config-dir`. */
  clientConfigDir: string;
  /**
   * The absolute command line that runs this program, used in the `up`/`down` hook lines
   * (OpenVPN runs hooks without PATH): `/bin/vpn-server` in the image, `<node> <launcher>` elsewhere.
   */
  hookCommand: string;
}

export interface ClientConfigValues {
  /** `tun0`, or `tap<VPN_SERVER_INDEX>` when VPN_SERVER_INDEX is set. */
  device: string;
  /** 0 = no `tun-mtu` line. */
  tunMtu: number;
  /** Sorted, de-duplicated, 1 or 2 entries. */
  ipFamilies: IpFamily[];
  isShootClient: boolean;
  isHA: boolean;
  /** -1 = `/srv/secrets/vpn-client`, otherwise `/srv/secrets/vpn-client-<index>`. */
  clientIndex: number;
  secretsDir: string;
  endpoint: string;
  openvpnPort: number;
  reversedVpnHeaderKey: string;
  reversedVpnHeader: string;
  /** 7505 + VPN_SERVER_INDEX. */
  managementPort: number;
  /** Shoot clients: the loopback port of the connect relay (`vpn-shoot-client connect-relay`), 9505 + VPN_SERVER_INDEX. */
  relayPort: number;
  /** Route target of the non-HA shoot client's `up` hook: `241.0.0.0/8` for an IPv4 seed pod network, the CIDR itself otherwise, '' when unset. */
  seedPodNetwork: string;
}
