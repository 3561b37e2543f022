import { Ip, oneLine, type Logger, type TunnelControllerSettings } from '@vpn/common';
import { podProblem, senderServer, type AnnouncementScope } from './announcement-validation';
import { BackgroundTasks } from './background';
import { setNewest } from './bounded-map';
import type { Clock } from './clock';
import { guarded } from './guard';
import { MAX_TRACKED_SENDERS } from './limits';
import { MAX_HA_SERVERS, tapName } from './path';
import type {
  AnnouncementRefusal,
  ControllerHandle,
  Datagram,
  NetworkPort,
  Readiness,
  RouteSpec,
  ServerRestarter,
  TunnelObserver,
  UdpBind,
  UdpSocket,
  WatchLinks,
} from './ports';
import { ReturnRouteTable, type Observation, type ReturnRoute } from './return-routes';
import { RouteSync } from './route-sync';
import { SenderRateLimit } from './sender-rate';
import { TapMonitor } from './tap-monitor';
import { ANNOUNCEMENT_PORT, ENDPOINT_REFRESH_MS, RETURN_ROUTE_SWEEP_MS, ROUTE_VERIFY_INTERVAL_MS, WATCHDOG_INTERVAL_MS } from './timing';
import { ServerWatchdog } from './watchdog';
import { decodeAnnouncement, encodeAnnouncement, type Announcement } from './wire';

export interface TunnelControllerDeps {
  clock: Clock;
  network: NetworkPort;
  bindUdp: UdpBind;
  restartServer: ServerRestarter;
  /** Reports link changes, so that taps are found at once and listed only every TAP_RESYNC_INTERVAL_MS otherwise. */
  watchLinks?: WatchLinks;
  logger: Logger;
  /** Every address of a host name (DNS), for ENDPOINT; IP literals are taken as they are. */
  resolveHost: (host: string) => Promise<string[]>;
  /** UDP port to listen on; ANNOUNCEMENT_PORT unless a test picks another (0: any free one). */
  listenPort?: number;
  /** Metrics (tunnel-metrics.ts); none when not given. */
  observer?: TunnelObserver;
}

const NO_OBSERVER: TunnelObserver = {
  announcementAccepted: () => undefined,
  announcementRefused: () => undefined,
  returnRoutes: () => undefined,
  watchdogRestart: () => undefined,
};

const REFUSALS: Readonly<Record<Exclude<Observation, 'accepted'>, AnnouncementRefusal>> = {
  stale: 'stale_epoch',
  foreign: 'foreign_instance',
  full: 'table_full',
};

export interface TunnelControllerHandle extends ControllerHandle {
  /** The UDP port actually bound. */
  readonly port: number;
  /** Ready when every seed pod heard from has its return route installed. */
  readiness(): Readiness;
  /** Answers probes as "leaving" for `ms` (the pod is being deleted), then resolves; stop() follows. */
  leave(ms: number): Promise<void>;
}

/** Distinct rejected announcements remembered so that each is logged once; beyond that the memory starts over. */
const MAX_REMEMBERED_REJECTIONS = 256;

/**
 * The shoot-side tunnel controller (`vpn-shoot-client tunnel-controller`, vpn-shoot pod). It listens on
 * UDP 5400 (all addresses: the shoot client has one per tap), echoes every datagram from a seed client's
 * address in a server slice whose tap is present (the path controller's probes), routes each validated
 * announcement's pod IP back along the path the seed marks active (return-routes.ts) and runs one watchdog
 * window per server tap, restarting only the OpenVPN client of a server whose tap stays silent.
 * Node cannot tell which interface a datagram came in by: the shoot client's firewall admits UDP 5400 only
 * through tap<s> from server s's seed-client pool (vpn-client-rules.ts). Behind it, each sender is
 * rate-limited and the return routes are bounded (limits.ts).
 * The servers are the taps present: Gardener gives this container no HA_VPN_SERVERS, and HA_VPN_CLIENTS
 * (the reference's loop bound for management ports) is not needed.
 */
export async function runTunnelController(settings: TunnelControllerSettings, deps: TunnelControllerDeps): Promise<TunnelControllerHandle> {
  const controller = new TunnelController(settings, deps);
  const port = await controller.start();
  return { port, readiness: () => controller.readiness(), leave: (ms) => controller.leave(ms), stop: () => controller.stop() };
}

class TunnelController {
  private readonly scope: AnnouncementScope;
  private readonly taps: TapMonitor;
  private readonly table = new ReturnRouteTable();
  private readonly routes: RouteSync;
  private readonly watchdog: ServerWatchdog;
  private readonly tasks = new BackgroundTasks();
  private readonly logger: Logger;
  private readonly rejections = new Set<string>();
  private readonly rates = new SenderRateLimit();
  private readonly endpoint: string | undefined;
  private readonly observer: TunnelObserver;
  private endpointAddresses: Ip[] = [];
  private socket: UdpSocket | undefined;
  private cancelTimers: (() => void)[] = [];
  private current: ReturnRoute[] = [];
  private leaving = false;
  /** The last probe of each sender, answered again as "leaving" the moment leave() starts. */
  private readonly lastProbes = new Map<string, { announcement: Announcement; port: number; address: string }>();
  /**
   * Source address texts and what they are: a seed client's address and the server whose slice holds it, or
   * undefined for anything else; bounded like lastProbes.
   */
  private readonly senders = new Map<string, SeedClient | undefined>();

  constructor(
    settings: TunnelControllerSettings,
    private readonly deps: TunnelControllerDeps,
  ) {
    const { services, pods, nodes } = settings.shootNetworks;
    this.scope = {
      vpnNetwork: settings.vpnNetwork,
      seedPodNetwork: settings.seedPodNetwork,
      shootNetworks: [...services, ...pods, ...nodes],
    };
    this.endpoint = settings.endpoint;
    this.logger = deps.logger;
    this.observer = deps.observer ?? NO_OBSERVER;
    this.taps = new TapMonitor(deps.network, MAX_HA_SERVERS, deps.logger);
    this.routes = new RouteSync(deps.network, deps.logger);
    this.watchdog = new ServerWatchdog(settings.watchdog);
  }

  async start(): Promise<number> {
    this.onTapChanges(await this.taps.poll());
    await this.resolveEndpoint();
    const { clock, logger } = this.deps;
    this.socket = await this.deps.bindUdp({
      address: '::',
      port: this.deps.listenPort ?? ANNOUNCEMENT_PORT,
      onDatagram: guarded(logger, 'handling a datagram', (d: Datagram) => this.onDatagram(d)),
    });
    this.cancelTimers = [
      clock.every(
        RETURN_ROUTE_SWEEP_MS,
        guarded(logger, 'return route sweep', () => this.refreshRoutes()),
      ),
      clock.every(ROUTE_VERIFY_INTERVAL_MS, () => this.tasks.track(this.routes.verify())),
      this.taps.follow(
        clock,
        this.deps.watchLinks,
        (changed) => this.onTapChanges(changed),
        (task) => this.tasks.track(task),
      ),
      clock.every(
        WATCHDOG_INTERVAL_MS,
        guarded(logger, 'watchdog interval', () => this.endWatchdogInterval()),
      ),
      ...(this.endpoint === undefined ? [] : [clock.every(ENDPOINT_REFRESH_MS, () => this.tasks.track(this.resolveEndpoint()))]),
    ];
    this.logger.info('tunnel controller listening', {
      port: this.socket.port,
      taps: [...this.taps.present.keys()].map(tapName).join(',') || 'none',
      seed_pod_network: this.scope.seedPodNetwork?.toString(),
      endpoint: this.endpoint,
    });
    return this.socket.port;
  }

  /**
   * The pod is being deleted: for `ms`, every probe is answered with a "leaving" echo, so the path controllers
   * move their traffic to other shoot clients while this pod's OpenVPN clients still carry it (their
   * containers wait in a preStop hook). Return routes and the watchdog keep working meanwhile.
   */
  async leave(ms: number): Promise<void> {
    this.leaving = true;
    this.logger.info('leaving: echoing every probe as leaving', { ms, seed_pods_told: this.lastProbes.size });
    // Not waiting for the next probe saves up to a probe interval in which new connections would still
    // go through this pod and break when the path moves.
    for (const { announcement, port, address } of this.lastProbes.values()) {
      const echo = encodeAnnouncement({ ...announcement, role: 'leaving' });
      this.tasks.track((this.socket as UdpSocket).send(echo, port, address).catch(() => undefined));
    }
    await new Promise<void>((resolve) => this.deps.clock.after(ms, resolve));
  }

  async stop(): Promise<void> {
    for (const cancel of this.cancelTimers) cancel();
    this.cancelTimers = [];
    await this.tasks.settled();
    await this.socket?.close();
  }

  readiness(): Readiness {
    if (this.current.length === 0) return { ready: false, reason: 'no seed pod heard from' };
    const missing = this.current.find((route) => !this.routes.isInstalled(returnRouteSpec(route)));
    if (missing === undefined) return { ready: true, reason: 'ok' };
    return {
      ready: false,
      reason: `no route to seed pod ${missing.pod.toString()} (${this.routes.lastFailure ?? 'not installed yet'})`,
    };
  }

  private onDatagram(datagram: Datagram): void {
    const seedClient = this.seedClient(datagram.address);
    if (seedClient === undefined || !this.taps.present.has(seedClient.server)) return;
    const { sender, server } = seedClient;
    const now = this.deps.clock.now();
    if (!this.rates.admit(datagram.address, now)) {
      this.observer.announcementRefused('rate_limited');
      this.rejectOnce(datagram.address, 'sends faster than the rate limit');
      return;
    }
    let announcement: Announcement;
    try {
      announcement = decodeAnnouncement(datagram.data);
    } catch (err) {
      this.observer.announcementRefused('malformed');
      this.logger.debug('ignoring datagram', { sender: datagram.address, error: oneLine(err) });
      return;
    }
    const echo = this.leaving ? encodeAnnouncement({ ...announcement, role: 'leaving' }) : datagram.data;
    this.tasks.track((this.socket as UdpSocket).send(echo, datagram.port, datagram.address).catch(() => undefined));
    this.rememberProbe(datagram, announcement);
    if (announcement.role === 'down' || announcement.role === 'leaving') return;
    this.watchdog.announcementSeen(server);
    const problem = podProblem(this.scope, announcement.pod, this.endpointAddresses);
    if (problem !== undefined) {
      this.observer.announcementRefused('invalid_pod_ip');
      this.rejectOnce(datagram.address, problem);
      return;
    }
    const { pod, instance, epoch, role } = announcement;
    const observed = this.table.observe({ pod, server, sender, order: { instance, epoch }, active: role === 'active' }, now);
    if (observed === 'accepted') {
      this.observer.announcementAccepted(server);
      this.refreshRoutes();
      return;
    }
    this.observer.announcementRefused(REFUSALS[observed]);
    if (observed === 'full') this.rejectOnce(datagram.address, `no room for ${pod.toString()}: the return route table is full`);
  }

  /** The seed client a datagram came from; the few senders of a shoot are looked at once, not per datagram. */
  private seedClient(text: string): SeedClient | undefined {
    if (this.senders.has(text)) return this.senders.get(text);
    const sender = Ip.tryParse(text);
    const server = sender === undefined ? undefined : senderServer(this.scope, sender);
    const seedClient = sender === undefined || server === undefined ? undefined : { sender, server };
    setNewest(this.senders, text, seedClient, MAX_TRACKED_SENDERS);
    return seedClient;
  }

  /** Bounded like the senders of the rate limit: the oldest sender is forgotten first. */
  private rememberProbe(datagram: Datagram, announcement: Announcement): void {
    const key = `${datagram.address} ${datagram.port}`;
    setNewest(this.lastProbes, key, { announcement, port: datagram.port, address: datagram.address }, MAX_TRACKED_SENDERS);
  }

  private rejectOnce(sender: string, problem: string): void {
    const key = `${sender} ${problem}`;
    if (this.rejections.has(key)) return;
    if (this.rejections.size >= MAX_REMEMBERED_REJECTIONS) this.rejections.clear();
    this.rejections.add(key);
    this.logger.warn('announcement refused', { sender, problem });
  }

  /** ENDPOINT's addresses now; a failed lookup is logged and keeps the previous ones. */
  private async resolveEndpoint(): Promise<void> {
    if (this.endpoint === undefined) return;
    const literal = Ip.tryParse(this.endpoint);
    if (literal !== undefined) {
      this.endpointAddresses = [literal];
      return;
    }
    try {
      const addresses = (await this.deps.resolveHost(this.endpoint)).map((a) => Ip.tryParse(a)).filter((a): a is Ip => a !== undefined);
      this.endpointAddresses = addresses;
    } catch (err) {
      this.logger.warn('could not resolve ENDPOINT, keeping its previous addresses', { endpoint: this.endpoint, error: oneLine(err) });
    }
  }

  /**
   * Runs for every accepted announcement and every sweep; almost always the routes come out as they were, and
   * then only sync() runs, which retries what failed.
   */
  private refreshRoutes(): void {
    const routes = this.table.resolve(this.deps.clock.now());
    if (!sameReturnRoutes(routes, this.current)) {
      this.current = routes;
      this.observer.returnRoutes(routes.length);
      this.routes.setDesired(routes.map(returnRouteSpec));
    }
    this.tasks.track(this.routes.sync());
  }

  private onTapChanges(changed: readonly number[]): void {
    for (const server of changed) {
      const ifindex = this.taps.present.get(server);
      this.logger.info(ifindex === undefined ? 'tap gone' : 'tap present', { tap: tapName(server), ifindex });
      this.routes.invalidateDevice(tapName(server));
    }
    this.tasks.track(this.routes.sync());
    this.watchdog.setServers(this.taps.present.keys());
  }

  private endWatchdogInterval(): void {
    for (const event of this.watchdog.endInterval()) {
      const tap = tapName(event.server);
      if (event.failure && !event.restart) this.logger.info('no announcement through tap', { tap, failures: event.failures });
      if (event.restart) this.restart(event.server);
    }
  }

  private restart(server: number): void {
    const fields = { tap: tapName(server) };
    this.logger.warn('watchdog threshold reached, restarting the OpenVPN client of this server', fields);
    this.observer.watchdogRestart(server);
    this.tasks.track(
      this.deps.restartServer(server).then(
        () => this.logger.info('OpenVPN client restarted', fields),
        (err: unknown) => this.logger.warn('could not restart the OpenVPN client', { ...fields, error: oneLine(err) }),
      ),
    );
  }
}

/** A datagram's source that may announce: a seed client's pool address in `server`'s slice. */
interface SeedClient {
  sender: Ip;
  server: number;
}

function sameReturnRoutes(a: readonly ReturnRoute[], b: readonly ReturnRoute[]): boolean {
  return (
    a.length === b.length && a.every((route, i) => route.server === b[i].server && route.pod.equals(b[i].pod) && route.via.equals(b[i].via))
  );
}

function returnRouteSpec(route: ReturnRoute): RouteSpec {
  return { dst: `${route.pod.toString()}/${route.pod.bits}`, dev: tapName(route.server), via: route.via.toString() };
}
