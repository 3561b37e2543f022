/**
 * The path controller's Prometheus metrics. Every label value comes from a bounded set: server 0..2, shoot
 * client 0..HA_VPN_CLIENTS-1, a path role, a switch reason. Its own registry: prom-client's global one
 * would also collect whatever else in the process registers there.
 */
import { Counter, Gauge, Histogram, Registry } from './prom';
import { describePath, type PathId } from './path';
import { ACTIVE_PATH_SWITCH_REASONS, type ActivePathSwitchReason, type PathObserver } from './ports';
import { PATH_ROLES, type PathRole } from './wire';

/** From a LAN's sub-millisecond round trip to PROBE_TIMEOUT_MAX_MS and the backlog of an outage beyond it. */
const RTT_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];

export class PathMetrics implements PathObserver {
  readonly registry = new Registry();
  private readonly state = new Gauge({
    name: 'vpn_path_controller_path_state',
    help: 'Role of each (server, shoot client) path: 1 for the current one of active, standby, down.',
    labelNames: ['server', 'client', 'state'] as const,
    registers: [this.registry],
  });
  private readonly rtt = new Histogram({
    name: 'vpn_path_controller_probe_rtt_seconds',
    help: 'Round trip of probes answered by the tunnel controller, late answers included.',
    labelNames: ['server', 'client'] as const,
    buckets: RTT_BUCKETS_SECONDS,
    registers: [this.registry],
  });
  private readonly sent = new Counter({
    name: 'vpn_path_controller_probes_sent_total',
    help: 'Probes sent over each path.',
    labelNames: ['server', 'client'] as const,
    registers: [this.registry],
  });
  private readonly lost = new Counter({
    name: 'vpn_path_controller_probes_lost_total',
    help: 'Probes not answered within the probe timeout.',
    labelNames: ['server', 'client'] as const,
    registers: [this.registry],
  });
  private readonly switches = new Counter({
    name: 'vpn_path_controller_active_path_switches_total',
    help: 'Changes of the active path(s), by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly announcements = new Counter({
    name: 'vpn_path_controller_announcements_sent_total',
    help: 'Announcements of the pod IP (probes over healthy paths), by the role they give the path.',
    labelNames: ['role'] as const,
    registers: [this.registry],
  });
  /** The role last reported per path, so that a probe round sets the gauges only when a role changed. */
  private readonly roles = new Map<string, PathRole>();

  constructor() {
    // Series that exist from the start let increase() see the first switch, not only the second.
    for (const reason of ACTIVE_PATH_SWITCH_REASONS) this.switches.inc({ reason }, 0);
    for (const role of ['active', 'standby'] as const) this.announcements.inc({ role }, 0);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  pathRole(path: PathId, role: PathRole): void {
    const key = describePath(path);
    const previous = this.roles.get(key);
    if (previous === role) return;
    if (previous === undefined) this.lost.inc(labels(path), 0);
    this.roles.set(key, role);
    for (const state of PATH_ROLES) this.state.set({ ...labels(path), state }, state === role ? 1 : 0);
  }

  probeSent(path: PathId, role: PathRole): void {
    this.sent.inc(labels(path));
    if (role !== 'down') this.announcements.inc({ role });
  }

  probesLost(path: PathId, count: number): void {
    this.lost.inc(labels(path), count);
  }

  roundTrip(path: PathId, ms: number): void {
    this.rtt.observe(labels(path), ms / 1000);
  }

  activePathSwitched(reason: ActivePathSwitchReason): void {
    this.switches.inc({ reason });
  }
}

function labels(path: PathId): { server: string; client: string } {
  return { server: String(path.server), client: String(path.client) };
}
