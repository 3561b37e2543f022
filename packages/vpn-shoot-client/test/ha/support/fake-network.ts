import type { KernelRoute, LinkInfo, NetworkPort, RouteSpec } from '../../../src/ha/ports';
import { describeRoute } from '@vpn/common';

/** The kernel as the controllers see it: links by name, a main table keyed by destination, neighbour deletions. */
export class FakeNetwork implements NetworkPort {
  readonly routes = new Map<string, RouteSpec>();
  readonly neighbourDeletions: { dev: string; address: string; at: number }[] = [];
  /** Makes replaceRoute fail with this message while set. */
  routeFailure: string | undefined;
  /** Every replaceRoute, in order, as `describeRoute` prints it. */
  readonly replaced: string[] = [];
  private readonly links = new Map<string, number>();
  private nextIndex = 10;

  /** `clock` stamps the neighbour deletions. */
  constructor(
    links: string[],
    private readonly clock: { now(): number } = { now: () => 0 },
  ) {
    for (const name of links) this.addLink(name);
  }

  addLink(name: string): void {
    this.links.set(name, this.nextIndex++);
  }

  /** The device and every route through it vanish, as when OpenVPN exits. */
  removeLink(name: string): void {
    this.links.delete(name);
    for (const [dst, route] of this.routes) if (devices(route).includes(name)) this.routes.delete(dst);
  }

  /** OpenVPN recreated the tap: new ifindex, its routes gone. */
  recreateLink(name: string): void {
    this.removeLink(name);
    this.addLink(name);
  }

  route(dst: string): string | undefined {
    const route = this.routes.get(dst);
    return route === undefined ? undefined : describeRoute(route);
  }

  listLinks(): Promise<LinkInfo[]> {
    return Promise.resolve([{ name: 'lo', index: 1 }, ...[...this.links].map(([name, index]) => ({ name, index }))]);
  }

  /** Makes listRoutes fail with this message while set. */
  listFailure: string | undefined;

  listRoutes(): Promise<KernelRoute[]> {
    if (this.listFailure !== undefined) return Promise.reject(new Error(this.listFailure));
    return Promise.resolve(
      [...this.routes.values()].map((route) =>
        'nexthops' in route
          ? { dst: route.dst, nexthops: route.nexthops.map((hop) => ({ dev: hop.dev, via: { address: hop.via } })) }
          : { dst: route.dst, dev: route.dev, ...(route.via === undefined ? {} : { via: { address: route.via } }) },
      ),
    );
  }

  replaceRoute(spec: RouteSpec): Promise<void> {
    if (this.routeFailure !== undefined) return Promise.reject(new Error(this.routeFailure));
    const missing = devices(spec).find((dev) => !this.links.has(dev));
    if (missing !== undefined) return Promise.reject(new Error(`link ${missing} not found`));
    this.routes.set(spec.dst, spec);
    this.replaced.push(describeRoute(spec));
    return Promise.resolve();
  }

  deleteRoute(spec: { dst: string }): Promise<boolean> {
    return Promise.resolve(this.routes.delete(spec.dst));
  }

  deleteNeighbour(spec: { dev: string; address: string }): Promise<boolean> {
    this.neighbourDeletions.push({ ...spec, at: this.clock.now() });
    return Promise.resolve(this.links.has(spec.dev));
  }
}

function devices(route: RouteSpec): string[] {
  return 'nexthops' in route ? route.nexthops.map((hop) => hop.dev) : [route.dev];
}
