import { addressPlan, INGRESS_PORTS, type IfAddr, type ShootHost, type ShootNetworkKind } from './address-plan';

/**
 * The addresses of an HA lab (docs/ha.md, "Address plan"): two vpn-seed-server replicas, `shootClients` vpn-shoot pods
 * (HA_VPN_CLIENTS) and `seedClients` kube-apiserver pods, all dual-stack. The shoot side and the outer link
 * are those of the non-HA plan; the seed pod network gets one address per server and kube-apiserver pod.
 */
export interface HaLabSpec {
  /** Short name: part of namespace names and of the ingress header values. */
  name: string;
  shootClients: number;
  seedClients: number;
  /** The seed pod network equals the shoot pod network (IPv4), so the 241–244/8 NETMAP is in use. */
  overlap: boolean;
  /**
   * The seed's IP family (default IPv4): of the kube-apiserver pods' POD_IP, of SEED_POD_NETWORK and of the
   * seed clients' connections to the servers (their IP_FAMILIES). A dual-stack seed's pods are IPv4 first.
   * The lab's links carry both families either way.
   */
  seedFamily?: SeedFamily;
}

export type SeedFamily = 'IPv4' | 'IPv6' | 'dual-stack';

/** Gardener runs two servers (`HighAvailabilityReplicaCount`). */
export const HA_SERVERS = 2;
export const HEADER_KEY = 'X-Gardener-Destination';

export interface HaPlan {
  spec: HaLabSpec;
  shootNetworks: Record<ShootNetworkKind, string[]>;
  shootHosts: ShootHost[];
  /** SEED_POD_NETWORK: the seed pod network of the seed's (first) family. */
  seedPodNetwork: string;
  /** The seed pod network of both families. */
  seedPodNetworks: string[];
  seedGateways: IfAddr[];
  /** eth0 of vpn-seed-server-s, per s. */
  servers: IfAddr[][];
  /** eth0 of kube-apiserver pod k, per k; its address of the seed's (first) family is POD_IP. */
  seedClients: IfAddr[][];
  ingressInternal: IfAddr[];
  ingressExternal: IfAddr[];
  shootUplink: IfAddr[];
  /** eth0 of vpn-shoot-k, per k, all on one shoot node bridge. */
  shootClients: IfAddr[][];
  shootClientGateways: IfAddr[];
  /** ENDPOINT of the shoot clients (the ingress "load balancer") and the port honouring HEADER_KEY. */
  endpoint: string;
  ingressPort: number;
}

export function haPlan(spec: HaLabSpec): HaPlan {
  if (spec.shootClients < 1 || spec.seedClients < 1) throw new Error(`${spec.name}: an HA lab needs a shoot client and a seed client`);
  const base = addressPlan({
    name: spec.name,
    shootFamilies: ['IPv4', 'IPv6'],
    seedFamilies: ['IPv4', 'IPv6'],
    seedPodsOverlapShootPods: spec.overlap,
    headerKey: HEADER_KEY,
  });
  const seed = (host: number): IfAddr[] => base.seedGateways.map((gw) => withHost(gw, host));
  return {
    spec,
    shootNetworks: base.shootNetworks,
    shootHosts: base.shootHosts,
    seedPodNetwork: seedPrimaryFamily(spec) === 'IPv6' ? ipv6Network(base.seedPodNetworks) : base.seedPodNetwork,
    seedPodNetworks: base.seedPodNetworks,
    seedGateways: base.seedGateways,
    servers: range(HA_SERVERS).map((s) => seed(20 + s)),
    seedClients: range(spec.seedClients).map((k) => seed(30 + k)),
    ingressInternal: base.ingressInternal,
    ingressExternal: base.ingressExternal,
    shootUplink: base.shootUplink,
    shootClients: range(spec.shootClients).map((k) => base.shootClient.map((a) => withHost(a, 2 + k))),
    shootClientGateways: base.shootClientGateways,
    endpoint: base.endpoint,
    ingressPort: INGRESS_PORTS[HEADER_KEY],
  };
}

/** The Istio cluster name of server s: the header value its shoot clients send, on which the ingress routes. */
export function haServerClusterName(plan: HaPlan, server: number): string {
  return `outbound|1194||vpn-seed-server-${server}.shoot--e2e--${plan.spec.name}.svc.cluster.local`;
}

/** The shoot host of `kind` and `family` (the suite pings the IPv4 pod host). */
export function shootHost(plan: HaPlan, kind: ShootNetworkKind, family: IfAddr['family']): ShootHost {
  const host = plan.shootHosts.find((h) => h.kind === kind && h.address.family === family);
  if (!host) throw new Error(`no ${family} shoot ${kind} host in ${plan.spec.name}`);
  return host;
}

/** The family of POD_IP, SEED_POD_NETWORK and the seed clients' connections. */
export function seedPrimaryFamily(spec: HaLabSpec): IfAddr['family'] {
  return spec.seedFamily === 'IPv6' ? 'IPv6' : 'IPv4';
}

/** The seed clients' IP_FAMILIES. */
export function seedIpFamilies(spec: HaLabSpec): string {
  return spec.seedFamily === 'dual-stack' ? 'IPv4,IPv6' : seedPrimaryFamily(spec);
}

export function addressOf(addrs: IfAddr[], family: IfAddr['family']): string {
  const a = addrs.find((x) => x.family === family);
  if (!a) throw new Error(`no ${family} address`);
  return a.address;
}

function ipv6Network(networks: string[]): string {
  const v6 = networks.find((n) => n.includes(':'));
  if (!v6) throw new Error('no IPv6 seed pod network');
  return v6;
}

export function ipv4Of(addrs: IfAddr[]): string {
  const a = addrs.find((x) => x.family === 'IPv4');
  if (!a) throw new Error('no IPv4 address');
  return a.address;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The same interface address with its last group replaced (`10.96.0.1` -> `10.96.0.20`, `fd00:10::1` -> `fd00:10::20`). */
function withHost(addr: IfAddr, host: number): IfAddr {
  return { ...addr, address: addr.address.replace(/[0-9a-f]+$/, String(host)) };
}
