import { Cidr, describeRoute, Ip, oneLine, type Logger } from '@vpn/common';
import { CoalescedTask } from './coalesced-task';
import type { KernelRoute, NetworkPort, RouteSpec } from './ports';

/**
 * Keeps a set of main-table routes, keyed by destination, as desired: installs what changed, deletes what
 * is no longer wanted, and retries on the next sync() whatever failed. It remembers what it installed; a
 * device that was recreated (OpenVPN recreates a tap when its pushed address changes, and every route on
 * it is gone) is reported with invalidateDevice(), and its routes are installed again. verify() compares
 * that memory with the kernel's table, so a route someone else deleted or changed is put back.
 */
export class RouteSync {
  /**
   * Each desired route with its text as given and its fingerprint, computed once per setDesired() (sync() runs
   * every probe tick), and not again while the same route is set again.
   */
  private desired = new Map<string, { route: RouteSpec; text: string; print: string }>();
  private readonly installed = new Map<string, string>();
  private readonly applying = new CoalescedTask(() => this.applyOnce());
  private failure: string | undefined;

  constructor(
    private readonly network: Pick<NetworkPort, 'replaceRoute' | 'deleteRoute' | 'listRoutes'>,
    private readonly logger: Logger,
  ) {}

  setDesired(routes: readonly RouteSpec[]): void {
    const previous = this.desired;
    this.desired = new Map(
      routes.map((route) => {
        // The tunnel controller sets the same routes for every announcement: reuse their fingerprints.
        const known = previous.get(route.dst);
        const text = describeRoute(route);
        return [route.dst, { route, text, print: known?.text === text ? known.print : fingerprint(route) }];
      }),
    );
  }

  /** Forgets what was installed through `dev`, so that the next sync() installs it again. */
  invalidateDevice(dev: string): void {
    for (const [dst, { route }] of this.desired) {
      if (devicesOf(route).includes(dev)) this.installed.delete(dst);
    }
  }

  /**
   * Reads the kernel's routes and forgets every installed route the kernel no longer has as desired, then
   * syncs. Never rejects: a failed read is logged like a failed update and retried on the next call.
   */
  async verify(): Promise<void> {
    let kernel: readonly KernelRoute[];
    try {
      kernel = await this.network.listRoutes();
    } catch (err) {
      this.noteFailure(`list routes: ${oneLine(err)}`);
      return;
    }
    const present = new Set<string>();
    for (const route of kernel) {
      const print = kernelFingerprint(route);
      if (print !== undefined) present.add(print);
    }
    for (const [dst, print] of this.installed) {
      if (present.has(print) || !this.desired.has(dst)) continue;
      this.installed.delete(dst);
      this.logger.warn('route missing or changed in the kernel, reinstalling', { route: print });
    }
    await this.sync();
  }

  get inSync(): boolean {
    if (this.installed.size !== this.desired.size) return false;
    for (const [dst, { print }] of this.desired) if (this.installed.get(dst) !== print) return false;
    return true;
  }

  isInstalled(route: RouteSpec): boolean {
    return this.installed.get(route.dst) === fingerprint(route);
  }

  /** The last failure while the routes are not in sync. */
  get lastFailure(): string | undefined {
    return this.failure;
  }

  /** Applies the difference; one run at a time (a call during a run schedules one more). Never rejects. */
  sync(): Promise<void> {
    if (!this.applying.busy && this.inSync) return Promise.resolve();
    return this.applying.run();
  }

  private async applyOnce(): Promise<void> {
    let failure: string | undefined;
    for (const [dst, { route, print }] of this.desired) {
      if (this.installed.get(dst) === print) continue;
      try {
        await this.network.replaceRoute(route);
        this.installed.set(dst, print);
        this.logger.info('route installed', { route: describeRoute(route) });
      } catch (err) {
        failure ??= `${describeRoute(route)}: ${oneLine(err)}`;
      }
    }
    for (const dst of [...this.installed.keys()]) {
      if (this.desired.has(dst)) continue;
      try {
        await this.network.deleteRoute({ dst });
        this.installed.delete(dst);
        this.logger.info('route removed', { dst });
      } catch (err) {
        failure ??= `delete ${dst}: ${oneLine(err)}`;
      }
    }
    this.noteFailure(failure);
  }

  /** Logs a failure once per streak of identical failures, and the recovery. */
  private noteFailure(failure: string | undefined): void {
    if (failure !== undefined && failure !== this.failure) this.logger.warn('route update failed, will retry', { error: failure });
    if (failure === undefined && this.failure !== undefined) this.logger.info('route update succeeded again');
    this.failure = failure;
  }
}

function devicesOf(route: RouteSpec): string[] {
  return 'nexthops' in route ? route.nexthops.map((hop) => hop.dev) : [route.dev];
}

/** describeRoute() of the route with normalised addresses and next hops in a fixed order, for comparison with the kernel. */
function fingerprint(route: RouteSpec): string {
  const dst = Cidr.parse(route.dst).toString();
  if (!('nexthops' in route))
    return describeRoute({ dst, dev: route.dev, via: route.via === undefined ? undefined : Ip.parse(route.via).toString() });
  const nexthops = route.nexthops.map((hop) => ({ dev: hop.dev, via: Ip.parse(hop.via).toString() }));
  return describeRoute({ dst, nexthops: nexthops.sort((a, b) => `${a.dev} ${a.via}`.localeCompare(`${b.dev} ${b.via}`)) });
}

/** The fingerprint a kernel route would have as a RouteSpec; undefined for routes no RouteSpec describes. */
function kernelFingerprint(route: KernelRoute): string | undefined {
  const hop = (h: { dev?: string; gateway?: string; via?: { address: string } }): { dev: string; via: string } | undefined => {
    const via = h.gateway ?? h.via?.address;
    return h.dev === undefined || via === undefined ? undefined : { dev: h.dev, via };
  };
  if (Cidr.tryParse(route.dst) === undefined) return undefined;
  if (route.nexthops === undefined || route.nexthops.length === 0) {
    const single = hop(route);
    return single === undefined ? undefined : fingerprint({ dst: route.dst, ...single });
  }
  const nexthops = route.nexthops.map(hop);
  if (nexthops.some((h) => h === undefined)) return undefined;
  return fingerprint({ dst: route.dst, nexthops: nexthops as { dev: string; via: string }[] });
}
