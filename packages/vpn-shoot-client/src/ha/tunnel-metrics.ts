/**
 * The tunnel controller's Prometheus metrics, served next to `/readyz`. Label values are bounded: server
 * 0..2 and a refusal reason; never a pod IP or a sender address, which the shoot side could choose.
 */
import { Counter, Gauge, Registry } from './prom';
import { ANNOUNCEMENT_REFUSALS, type AnnouncementRefusal, type TunnelObserver } from './ports';

export class TunnelMetrics implements TunnelObserver {
  readonly registry = new Registry();
  private readonly accepted = new Counter({
    name: 'vpn_tunnel_controller_announcements_accepted_total',
    help: 'Announcements taken into the return route table, by the server whose tap they came through.',
    labelNames: ['server'] as const,
    registers: [this.registry],
  });
  private readonly refused = new Counter({
    name: 'vpn_tunnel_controller_announcements_refused_total',
    help: 'Datagrams from seed clients that changed no return route, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly routes = new Gauge({
    name: 'vpn_tunnel_controller_return_routes',
    help: 'Seed pods with a return route.',
    registers: [this.registry],
  });
  private readonly restarts = new Counter({
    name: 'vpn_tunnel_controller_watchdog_restarts_total',
    help: "Restarts of a server's OpenVPN client by the watchdog.",
    labelNames: ['server'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Series that exist from the start let increase() see the first refusal, not only the second.
    for (const reason of ANNOUNCEMENT_REFUSALS) this.refused.inc({ reason }, 0);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  announcementAccepted(server: number): void {
    this.accepted.inc({ server: String(server) });
  }

  announcementRefused(reason: AnnouncementRefusal): void {
    this.refused.inc({ reason });
  }

  returnRoutes(count: number): void {
    this.routes.set(count);
  }

  watchdogRestart(server: number): void {
    this.restarts.inc({ server: String(server) });
  }
}
