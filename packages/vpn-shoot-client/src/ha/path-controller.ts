import {
  describeConnection,
  haShootClientAddress,
  InputError,
  Ip,
  oneLine,
  pathControllerPlan,
  type Logger,
  type PathControllerPlan,
  type PathControllerSettings,
  type TcpConnectionId,
  type TcpProgress,
} from '@vpn/common';
import { BackgroundTasks } from './background';
import type { Clock } from './clock';
import { guarded } from './guard';
import { describePath, describePaths, MAX_HA_SERVERS, samePath, tapName, type PathId } from './path';
import { PathHealth, type HealthChange } from './path-health';
import { ActivePathSelector } from './path-selection';
import type {
  ActivePathSwitchReason,
  ControllerHandle,
  Datagram,
  InspectConnection,
  NetworkPort,
  PathObserver,
  UdpBind,
  UdpSocket,
  Watch,
  WatchLinks,
  WatchServerConnection,
} from './ports';
import { RouteSync } from './route-sync';
import { shootNetworkRoutes } from './seed-routes';
import { TapMonitor } from './tap-monitor';
import {
  ANNOUNCEMENT_PORT,
  KERNEL_CLOCK_SLACK_MS,
  PROBE_INTERVAL_MS,
  ROUTE_VERIFY_INTERVAL_MS,
  SEED_DELAYED_ACK_MS,
  SEED_LEG_CHECK_MS,
  STALL_AFTER_MS,
} from './timing';
import { decodeAnnouncement, encodeAnnouncement, randomId, type Announcement, type PathRole, type RandomId } from './wire';

export interface PathControllerDeps {
  clock: Clock;
  network: NetworkPort;
  bindUdp: UdpBind;
  /** This instance's random identity (wire.ts); a restarted controller draws a new one. */
  instance: RandomId;
  /** A fresh nonce per probe; random unless a test needs them predictable. */
  newNonce?: () => RandomId;
  /** Reports at once when a server's OpenVPN client loses its connection; without it only probes find out. */
  watchServer?: WatchServerConnection;
  /**
   * Tells whether a server acknowledges this pod's TCP connection to it (timing.ts, SEED_LEG_CHECK_MS); with it
   * (and watchServer, which names the connections) a black-holed server's paths die without waiting for probes.
   */
  inspectConnection?: InspectConnection;
  /** Reports link changes, so that taps are found at once and listed only every TAP_RESYNC_INTERVAL_MS otherwise. */
  watchLinks?: WatchLinks;
  logger: Logger;
  /** Metrics (path-metrics.ts); none when not given. */
  observer?: PathObserver;
}

const NO_OBSERVER: PathObserver = {
  pathRole: () => undefined,
  probeSent: () => undefined,
  probesLost: () => undefined,
  roundTrip: () => undefined,
  activePathSwitched: () => undefined,
};

interface TrackedPath {
  id: PathId;
  /** The shoot client's fixed address on this path, `…::10s:b0k`. */
  address: Ip;
  /** `address` as the socket API writes it; formatted once, since every probe and echo needs it. */
  addressText: string;
  health: PathHealth;
  /** The nonce of the last probe on this path: an announcement between probes repeats it. */
  lastNonce?: RandomId;
}

/**
 * The seed-side path controller (`vpn-shoot-client path-controller`, kube-apiserver pod). Every
 * PROBE_INTERVAL_MS it sends one datagram (wire.ts) to every shoot client over every server's tap: a probe,
 * echoed by the tunnel controller, and on healthy paths an announcement of this pod's IP. From the echoes
 * it keeps each path's health, selects the active path(s), routes the shoot networks over them and deletes
 * the neighbour entry of a dead path's shoot client. The paths are found from the taps present.
 *
 * One UDP socket bound to `::` serves every path: the kernel routes each probe by its destination (the
 * shoot client's address lies in the /112 connected to that server's tap) and picks the tap's own address
 * as source, which is what SO_BINDTODEVICE would otherwise do (Node's dgram has no such option).
 * stop() leaves the routes in place: traffic keeps flowing until a restarted controller takes over.
 */
export async function runPathController(settings: PathControllerSettings, deps: PathControllerDeps): Promise<ControllerHandle> {
  if (settings.haVpnClients < 1) throw new InputError('HA_VPN_CLIENTS', 'must be at least 1 for the path controller');
  const controller = new PathController(settings, deps);
  await controller.start();
  return { stop: () => controller.stop() };
}

class PathController {
  private readonly plan: PathControllerPlan;
  private readonly paths: TrackedPath[] = [];
  private readonly byAddress = new Map<bigint, TrackedPath>();
  /** The same paths by addressText: an echo's source, as the kernel reports it, is found without parsing it. */
  private readonly byAddressText = new Map<string, TrackedPath>();
  private readonly selector: ActivePathSelector;
  private readonly taps: TapMonitor;
  private readonly routes: RouteSync;
  private readonly tasks = new BackgroundTasks();
  private readonly logger: Logger;
  private socket: UdpSocket | undefined;
  private cancelTimers: (() => void)[] = [];
  private seq = 0;
  private lastTickAt: number | undefined;
  private healthyBefore = false;
  private readonly newNonce: () => RandomId;
  private readonly serverWatches = new Map<number, Watch>();
  /** Each server's TCP connection from this pod's OpenVPN client, while connected. */
  private readonly serverConnections = new Map<number, TcpConnectionId>();
  /** The last question about a server connection went unanswered, and that was logged. */
  private inspectionFailureLogged = false;
  private readonly observer: PathObserver;

  constructor(
    private readonly settings: PathControllerSettings,
    private readonly deps: PathControllerDeps,
  ) {
    this.plan = pathControllerPlan(settings);
    this.logger = deps.logger;
    this.newNonce = deps.newNonce ?? randomId;
    this.observer = deps.observer ?? NO_OBSERVER;
    this.selector = new ActivePathSelector(settings.bondingMode);
    this.taps = new TapMonitor(deps.network, Math.min(MAX_HA_SERVERS, settings.haVpnServers ?? MAX_HA_SERVERS), deps.logger);
    this.routes = new RouteSync(deps.network, deps.logger);
  }

  async start(): Promise<void> {
    const { clock, logger } = this.deps;
    this.socket = await this.deps.bindUdp({
      address: '::',
      port: 0,
      onDatagram: guarded(logger, 'handling an echo', (d: Datagram) => this.onDatagram(d)),
    });
    try {
      this.onTapChanges(await this.taps.poll());
    } catch (err) {
      await this.socket.close();
      throw err;
    }
    this.cancelTimers = [
      clock.every(
        PROBE_INTERVAL_MS,
        guarded(logger, 'probe round', () => this.tick()),
      ),
      clock.every(ROUTE_VERIFY_INTERVAL_MS, () => this.tasks.track(this.routes.verify())),
      this.taps.follow(
        clock,
        this.deps.watchLinks,
        (changed) => this.onTapChanges(changed),
        (task) => this.tasks.track(task),
      ),
    ];
    this.logger.info('path controller started', {
      pod_ip: this.plan.announcedPodIp.toString(),
      instance: this.deps.instance,
      shoot_clients: this.settings.haVpnClients,
      taps: [...this.taps.present.keys()].map(tapName).join(',') || 'none',
      mode: this.settings.bondingMode,
      routes: this.plan.shootRoutes.join(','),
    });
  }

  async stop(): Promise<void> {
    for (const cancel of this.cancelTimers) cancel();
    this.cancelTimers = [];
    await Promise.all([...this.serverWatches.values()].map((watch) => watch.close()));
    this.serverWatches.clear();
    this.serverConnections.clear();
    await this.tasks.settled();
    await this.socket?.close();
  }

  /**
   * One probe round. When this tick comes more than STALL_AFTER_MS after the previous one, our own event
   * loop was blocked (CPU throttling, a long GC): timers run before pending socket reads, so the echoes that
   * arrived meanwhile are not read yet. Such a tick judges no probe; the next one does, after the reads.
   */
  private tick(): void {
    const seq = ++this.seq;
    const now = this.deps.clock.now();
    const stalled = this.lastTickAt !== undefined && now - this.lastTickAt > STALL_AFTER_MS;
    if (stalled) {
      this.logger.debug('event loop stalled, probe verdicts wait for one more round', {
        ms: Math.round(now - (this.lastTickAt as number)),
      });
      for (const path of this.paths) path.health.stalled();
    } else {
      for (const path of this.paths) this.onHealthChange(path, path.health.expire(seq));
    }
    this.lastTickAt = now;
    this.reselect();
    this.tasks.track(this.routes.sync());
    for (const path of this.paths) {
      const nonce = this.newNonce();
      const role = this.roleOf(path);
      this.observer.pathRole(path.id, role);
      path.health.probeSent(seq, now, nonce);
      path.lastNonce = nonce;
      if (!this.taps.present.has(path.id.server)) continue;
      this.observer.probeSent(path.id, role);
      this.send(path, seq, nonce, role);
    }
    this.scheduleSeedLegChecks(seq, now);
  }

  /** SEED_LEG_CHECK_MS after this round's probes, the servers carrying an active path whose echo is missing get asked. */
  private scheduleSeedLegChecks(seq: number, sentAt: number): void {
    if (this.deps.inspectConnection === undefined) return;
    for (const server of this.serverConnections.keys()) {
      if (this.activeThrough(server).length === 0) continue;
      this.deps.clock.after(
        SEED_LEG_CHECK_MS,
        guarded(this.logger, 'checking a server connection', () => this.checkSeedLeg(server, seq, sentAt, true)),
      );
    }
  }

  private activeThrough(server: number): TrackedPath[] {
    return this.paths.filter((path) => path.id.server === server && path.health.isAlive && this.isActive(path.id));
  }

  /** Asks the kernel about `server`'s connection when the active path through it has not echoed probe `seq` yet. */
  private checkSeedLeg(server: number, seq: number, sentAt: number, mayRetry: boolean): void {
    const connection = this.serverConnections.get(server);
    const inspect = this.deps.inspectConnection;
    if (connection === undefined || inspect === undefined) return;
    if (!this.activeThrough(server).some((path) => !path.health.answered(seq))) return;
    this.tasks.track(
      inspect(connection).then(
        guarded(this.logger, 'judging a server connection', (progress: TcpProgress | undefined) => {
          if (this.serverConnections.get(server) !== connection) return;
          if (progress === undefined) {
            this.inspectionFailed(server, connection, 'the kernel knows no such connection');
            return;
          }
          this.inspectionFailureLogged = false;
          this.judgeSeedLeg(server, seq, sentAt, mayRetry, progress);
        }),
        (err: unknown) => this.inspectionFailed(server, connection, oneLine(err)),
      ),
    );
  }

  /**
   * Without the kernel's answer (no sock_diag for TCP in this kernel, or the connection changed) a black hole of
   * the server is found by probes only: logged once until a question is answered again.
   */
  private inspectionFailed(server: number, connection: TcpConnectionId, reason: string): void {
    if (this.inspectionFailureLogged) return;
    this.inspectionFailureLogged = true;
    this.logger.warn('could not inspect the server connection, a black hole of the server is found by probes only', {
      tap: tapName(server),
      connection: describeConnection(connection),
      reason,
    });
  }

  /**
   * Nothing acknowledged on this pod's TCP connection to `server` since probe `seq` went out at `sentAt`, while
   * data waits: the server is unreachable and its paths are dead now. When the connection's round trip makes an
   * ACK due later than now, asks once more at that time.
   */
  private judgeSeedLeg(server: number, seq: number, sentAt: number, mayRetry: boolean, progress: TcpProgress): void {
    // Taken after the answer, so that it is at least the time between the probe and the kernel's reading.
    const elapsed = this.deps.clock.now() - sentAt;
    const ackDue = SEED_DELAYED_ACK_MS + 2 * progress.rttMs + KERNEL_CLOCK_SLACK_MS;
    if (elapsed < ackDue) {
      if (mayRetry) {
        this.deps.clock.after(
          ackDue - elapsed,
          guarded(this.logger, 'checking a server connection', () => this.checkSeedLeg(server, seq, sentAt, false)),
        );
      }
      return;
    }
    if (progress.unacked === 0 || progress.lastAckAgeMs <= elapsed + KERNEL_CLOCK_SLACK_MS) return;
    this.pathsLost(
      this.paths.filter((path) => path.id.server === server),
      'server connection stalled',
      {
        tap: tapName(server),
        unacked: String(progress.unacked),
        last_ack_ms: String(progress.lastAckAgeMs),
        rtt_ms: progress.rttMs.toFixed(1),
      },
      (path) => path.health.connectionLost(),
    );
  }

  /**
   * After a switch between probe rounds, the shoot side must route replies over the new active path(s) now,
   * not at the next round: it follows the path an "active" announcement arrives on. Repeats the last probe
   * (seq and nonce) with the new epoch and role; its echo is a duplicate the path's health ignores.
   */
  private announceSelection(): void {
    for (const path of this.paths) {
      if (path.lastNonce === undefined || !this.isActive(path.id) || !this.taps.present.has(path.id.server)) continue;
      this.send(path, this.seq, path.lastNonce, 'active');
    }
  }

  private send(path: TrackedPath, seq: number, nonce: RandomId, role: PathRole): void {
    const { epoch } = this.selector.selection;
    const announcement: Announcement = { pod: this.plan.announcedPodIp, instance: this.deps.instance, epoch, seq, nonce, role };
    // A refused datagram (no route while the tap is being recreated) is simply a probe without echo.
    this.tasks.track(
      (this.socket as UdpSocket).send(encodeAnnouncement(announcement), ANNOUNCEMENT_PORT, path.addressText).catch(() => undefined),
    );
  }

  private roleOf(path: TrackedPath): PathRole {
    if (!path.health.isAlive) return 'down';
    return this.isActive(path.id) ? 'active' : 'standby';
  }

  private isActive(id: PathId): boolean {
    return this.selector.selection.active.some((active) => samePath(active, id));
  }

  private onDatagram(datagram: Datagram): void {
    const path = this.byAddressText.get(datagram.address) ?? this.pathOfSource(datagram.address);
    if (path === undefined) return;
    let echo: Announcement;
    try {
      echo = decodeAnnouncement(datagram.data);
    } catch {
      return;
    }
    if (echo.instance !== this.deps.instance || echo.seq > this.seq) return;
    if (echo.role === 'leaving') {
      this.pathsLost([path], 'shoot client leaving', { path: describePath(path.id) }, (p) =>
        p.health.leavingEchoReceived(echo.seq, echo.nonce),
      );
      return;
    }
    this.onHealthChange(path, path.health.echoReceived(echo.seq, echo.nonce, this.deps.clock.now()));
  }

  /** Any other spelling of a path's address (the kernel's is canonical, so this is rarely reached). */
  private pathOfSource(address: string): TrackedPath | undefined {
    const source = Ip.tryParse(address);
    return source?.family === 'IPv6' ? this.byAddress.get(source.value) : undefined;
  }

  private onHealthChange(path: TrackedPath, change: HealthChange): void {
    if (change.lost > 0) this.observer.probesLost(path.id, change.lost);
    if (change.roundTripMs !== undefined) this.observer.roundTrip(path.id, change.roundTripMs);
    const fields = { path: describePath(path.id) };
    if (change.becameAlive) {
      this.logger.info('path healthy', fields);
      // A path that returns may come back on a recreated tap: its routes must be installed again.
      if (this.isActive(path.id)) this.routes.invalidateDevice(tapName(path.id.server));
    }
    if (change.becameDead) this.logger.warn('path dead', { ...fields, misses: path.health.consecutiveMisses });
    if (change.flushNeighbour && this.taps.present.has(path.id.server)) this.flushNeighbour(path);
  }

  /** A restarted tap-mode server has an empty MAC table and the shoot client never speaks first: make ours ask. */
  private flushNeighbour(path: TrackedPath): void {
    const spec = { dev: tapName(path.id.server), address: path.addressText };
    this.tasks.track(
      this.deps.network.deleteNeighbour(spec).then(
        (deleted) => this.logger.debug('neighbour entry of a dead path', { ...spec, deleted }),
        (err: unknown) => this.logger.warn('could not delete neighbour entry', { ...spec, error: oneLine(err) }),
      ),
    );
  }

  /** True when the selection changed. */
  private reselect(): boolean {
    const healthy = this.paths.filter((path) => path.health.isAlive).map((path) => path.id);
    if (healthy.length === 0 && this.healthyBefore) {
      this.logger.warn('no healthy path, the routes stay on the last active one', {
        active: describePaths(this.selector.selection.active),
      });
    }
    this.healthyBefore = healthy.length > 0;
    const previous = this.selector.selection.active;
    if (!this.selector.update(healthy)) return false;
    this.observer.activePathSwitched(switchReason(previous, healthy));
    const { active, epoch } = this.selector.selection;
    this.logger.info('active path changed', { from: describePaths(previous), to: describePaths(active), epoch });
    this.routes.setDesired(shootNetworkRoutes(this.plan.shootRoutes, active, (id) => this.addressOf(id)));
    return true;
  }

  private addressOf(id: PathId): Ip {
    return haShootClientAddress(this.settings.vpnNetwork, id.server, id.client);
  }

  private onTapChanges(changed: readonly number[]): void {
    for (const server of changed) {
      const ifindex = this.taps.present.get(server);
      this.logger.info(ifindex === undefined ? 'tap gone' : 'tap present', { tap: tapName(server), ifindex });
      if (ifindex !== undefined && !this.paths.some((path) => path.id.server === server)) this.addServer(server);
      if (ifindex !== undefined) this.watchServer(server);
      this.routes.invalidateDevice(tapName(server));
    }
    this.tasks.track(this.routes.sync());
  }

  private watchServer(server: number): void {
    const watch = this.deps.watchServer;
    if (watch === undefined || this.serverWatches.has(server)) return;
    this.serverWatches.set(
      server,
      watch(server, {
        lost: guarded(this.logger, 'handling a lost server connection', (reason: string) => {
          this.serverConnections.delete(server);
          this.serverLost(server, reason);
        }),
        connected: (connection) => {
          this.serverConnections.set(server, connection);
          this.logger.info('connected to server', { tap: tapName(server), connection: describeConnection(connection) });
        },
      }),
    );
  }

  /**
   * The OpenVPN client of `server` lost its connection (the server was stopped, killed or restarted): every
   * path through it is dead now, not after three unanswered probes, so a planned restart costs no probe time.
   */
  private serverLost(server: number, reason: string): void {
    const through = this.paths.filter((path) => path.id.server === server);
    this.pathsLost(through, 'server connection lost', { tap: tapName(server), reason }, (path) => path.health.connectionLost());
  }

  /** Takes the live ones of `paths` out of use at once, with `verdict` on each; logs `event` when any was live. */
  private pathsLost(
    paths: readonly TrackedPath[],
    event: string,
    fields: Record<string, string>,
    verdict: (path: TrackedPath) => HealthChange,
  ): void {
    const live = paths.filter((path) => path.health.isAlive);
    const changes = live.map((path) => ({ path, change: verdict(path) })).filter(({ change }) => change.becameDead);
    if (changes.length === 0) return;
    this.logger.warn(event, fields);
    for (const { path, change } of changes) this.onHealthChange(path, change);
    if (this.reselect()) this.announceSelection();
    this.tasks.track(this.routes.sync());
  }

  private addServer(server: number): void {
    for (let client = 0; client < this.settings.haVpnClients; client++) {
      const id = { server, client };
      const address = this.addressOf(id);
      const path = { id, address, addressText: address.toString(), health: new PathHealth() };
      this.paths.push(path);
      this.byAddress.set(address.value, path);
      this.byAddressText.set(path.addressText, path);
    }
  }
}

function switchReason(previous: readonly PathId[], healthy: readonly PathId[]): ActivePathSwitchReason {
  if (previous.length === 0) return 'initial';
  return previous.every((path) => healthy.some((other) => samePath(path, other))) ? 'path_recovered' : 'active_path_dead';
}
