import type { IpFamily } from '@vpn/common';
/**
 * Every address of a lab, derived from what a scenario varies: the shoot's and the seed's IP families and
 * whether the seed pod network overlaps the shoot pod network. All ranges are private or documentation
 * ranges and only ever exist inside the lab's namespaces.
 */
export type ShootNetworkKind = 'pod' | 'service' | 'node';

export interface LabSpec {
  /** Short scenario name, used in measurements and in the ingress header value. */
  name: string;
  shootFamilies: IpFamily[];
  seedFamilies: IpFamily[];
  seedPodsOverlapShootPods: boolean;
  /** The custom CONNECT header the shoot client sends; the ingress listens on the port that honours it. */
  headerKey: 'Reversed-VPN' | 'X-Gardener-Destination';
}

/** An interface address with its on-link prefix length. */
export interface IfAddr {
  family: IpFamily;
  address: string;
  prefix: number;
}

/** One shoot host address the tunnel must reach, with the gateway the shoot node answers on. */
export interface ShootHost {
  kind: ShootNetworkKind;
  address: IfAddr;
  gateway: IfAddr;
}

export interface AddressPlan {
  spec: LabSpec;
  shootNetworks: Record<ShootNetworkKind, string[]>;
  shootHosts: ShootHost[];
  /** The shoot client pod's eth0 and its default gateways on the shoot node. */
  shootClient: IfAddr[];
  shootClientGateways: IfAddr[];
  /** SEED_POD_NETWORK: a single CIDR, of the seed's primary family. */
  seedPodNetwork: string;
  /** The seed pod network of every seed family. */
  seedPodNetworks: string[];
  seedGateways: IfAddr[];
  seedServer: IfAddr[];
  kubeApiserver: IfAddr[];
  ingressInternal: IfAddr[];
  /** The outer link between shoot and seed: the shoot node's uplink and the ingress "load balancer". */
  shootUplink: IfAddr[];
  ingressExternal: IfAddr[];
  /** What the shoot client dials (ENDPOINT), and the port of the ingress listener for the header key. */
  endpoint: string;
  ingressPort: number;
}

const SHOOT_NETWORKS: Record<IpFamily, Record<ShootNetworkKind, string>> = {
  IPv4: { pod: '100.96.0.0/11', service: '100.64.0.0/13', node: '10.250.0.0/16' },
  IPv6: { pod: 'fd00:96::/48', service: 'fd00:64::/108', node: 'fd00:250::/64' },
};

const SHOOT_HOSTS: Record<IpFamily, Record<ShootNetworkKind, { host: string; gateway: string; prefix: number }>> = {
  IPv4: {
    pod: { host: '100.96.0.10', gateway: '100.96.0.1', prefix: 24 },
    service: { host: '100.64.0.10', gateway: '100.64.0.1', prefix: 24 },
    node: { host: '10.250.0.10', gateway: '10.250.0.1', prefix: 24 },
  },
  IPv6: {
    pod: { host: 'fd00:96::10', gateway: 'fd00:96::1', prefix: 64 },
    service: { host: 'fd00:64::10', gateway: 'fd00:64::1', prefix: 120 },
    node: { host: 'fd00:250::10', gateway: 'fd00:250::1', prefix: 64 },
  },
};

/** Seed pod networks; the overlapping IPv4 one equals the shoot pod network. */
const SEED_POD_NETWORK = { IPv4: '10.96.0.0/11', IPv4Overlapping: '100.96.0.0/11', IPv6: 'fd00:10::/64' };

export const INGRESS_PORTS = { 'X-Gardener-Destination': 8443, 'Reversed-VPN': 8132 } as const;
const KINDS: readonly ShootNetworkKind[] = ['pod', 'service', 'node'];

export function addressPlan(spec: LabSpec): AddressPlan {
  if (spec.shootFamilies.length === 0 || spec.seedFamilies.length === 0)
    throw new Error(`${spec.name}: a lab needs at least one IP family per side`);
  const shoot = sortFamilies(spec.shootFamilies);
  const seed = sortFamilies(spec.seedFamilies);
  const seedV4Base = spec.seedPodsOverlapShootPods ? '100.96.0' : '10.96.0';
  const seedAddr = (family: IpFamily, host: number): IfAddr =>
    family === 'IPv4' ? { family, address: `${seedV4Base}.${host}`, prefix: 11 } : { family, address: `fd00:10::${host}`, prefix: 64 };
  const outer = (family: IpFamily, host: number): IfAddr =>
    family === 'IPv4' ? { family, address: `192.0.2.${host}`, prefix: 24 } : { family, address: `2001:db8:1::${host}`, prefix: 64 };
  const clientAddr = (family: IpFamily, host: number): IfAddr =>
    family === 'IPv4' ? { family, address: `100.96.1.${host}`, prefix: 24 } : { family, address: `fd00:96:1::${host}`, prefix: 64 };

  const shootNetworks = { pod: [] as string[], service: [] as string[], node: [] as string[] };
  for (const family of shoot) for (const kind of KINDS) shootNetworks[kind].push(SHOOT_NETWORKS[family][kind]);

  const ingressExternal = shoot.map((f) => outer(f, 10));
  const seedPodNetworks = seed.map((f) =>
    f === 'IPv6' ? SEED_POD_NETWORK.IPv6 : spec.seedPodsOverlapShootPods ? SEED_POD_NETWORK.IPv4Overlapping : SEED_POD_NETWORK.IPv4,
  );
  return {
    spec,
    shootNetworks,
    shootHosts: shoot.flatMap((family) =>
      KINDS.map((kind) => {
        const h = SHOOT_HOSTS[family][kind];
        return { kind, address: { family, address: h.host, prefix: h.prefix }, gateway: { family, address: h.gateway, prefix: h.prefix } };
      }),
    ),
    shootClient: shoot.map((f) => clientAddr(f, 2)),
    shootClientGateways: shoot.map((f) => clientAddr(f, 1)),
    seedPodNetwork: seedPodNetworks[0],
    seedPodNetworks,
    seedGateways: seed.map((f) => seedAddr(f, 1)),
    seedServer: seed.map((f) => seedAddr(f, 2)),
    kubeApiserver: seed.map((f) => seedAddr(f, 3)),
    ingressInternal: seed.map((f) => seedAddr(f, 4)),
    shootUplink: shoot.map((f) => outer(f, 1)),
    ingressExternal,
    endpoint: ingressExternal[0].address,
    ingressPort: INGRESS_PORTS[spec.headerKey],
  };
}

/** `host:port` with brackets around IPv6 addresses. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function sortFamilies(families: IpFamily[]): IpFamily[] {
  return [...new Set(families)].sort();
}
