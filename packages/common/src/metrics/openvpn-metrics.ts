/**
 * The kumina/openvpn_exporter v0.3.0 server metrics the reference exports (docs/architecture.md): the same
 * names, types, help texts and labels, so Gardener's scrape config, dashboards and alerts keep working.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { InputError } from '../errors';
import type { OpenVpnStatus } from '../openvpn/status';
import { parseDecimal } from './decimal';

const CLIENT_LABELS = ['status_path', 'common_name', 'connection_time', 'real_address', 'virtual_address', 'username'] as const;
const ROUTE_LABELS = ['status_path', 'common_name', 'real_address', 'virtual_address'] as const;

type ClientLabels = Record<(typeof CLIENT_LABELS)[number], string>;
type RouteLabels = Record<(typeof ROUTE_LABELS)[number], string>;

/** Everything one parsed status file contributes to a scrape. */
export interface StatusSeries {
  /** null when the file has no TIME line. */
  updateTimeSeconds: number | null;
  connectedClients: number;
  clients: Array<{ labels: ClientLabels; receivedBytes: number; sentBytes: number }>;
  routes: Array<{ labels: RouteLabels; lastReferenceSeconds: number }>;
}

/** One status path's outcome for a scrape; `series` is null when the file could not be read or parsed. */
export interface StatusScrape {
  statusPath: string;
  series: StatusSeries | null;
}

function unixTime(statusPath: string, column: string, value: string | null): number {
  const seconds = value === null ? undefined : parseDecimal(value);
  if (seconds === undefined) throw new InputError(statusPath, `${column}: not a unix time: ${JSON.stringify(value ?? '')}`);
  return seconds;
}

/**
 * Rows with a label set already seen are dropped, first row wins: a series must appear once per scrape.
 * (kumina drops a row when each of its label values appears *anywhere* among earlier rows' values, which
 * also hides distinct connections; we compare whole label sets.)
 */
function firstPerLabelSet<T extends { labels: Record<string, string> }>(rows: T[], names: readonly string[]): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = JSON.stringify(names.map((n) => row.labels[n]));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Throws an InputError naming the path when a unix-time column is not a number. */
export function statusSeries(statusPath: string, status: OpenVpnStatus): StatusSeries {
  const clients = status.clients.map((c) => ({
    labels: {
      status_path: statusPath,
      common_name: c.commonName,
      connection_time: c.connectedSinceTimeT,
      real_address: c.realAddress.text,
      virtual_address: c.virtualAddress,
      username: c.username,
    },
    receivedBytes: c.bytesReceived,
    sentBytes: c.bytesSent,
  }));
  const routes = status.routes.map((r) => ({
    labels: {
      status_path: statusPath,
      common_name: r.commonName,
      real_address: r.realAddress.text,
      virtual_address: r.virtualAddress,
    },
    lastReferenceSeconds: unixTime(statusPath, 'ROUTING_TABLE Last Ref (time_t)', r.lastRefTimeT),
  }));
  return {
    updateTimeSeconds: status.updatedAt === null ? null : unixTime(statusPath, 'TIME', status.updatedAtTimeT),
    connectedClients: status.clients.length,
    clients: firstPerLabelSet(clients, CLIENT_LABELS),
    routes: firstPerLabelSet(routes, ROUTE_LABELS),
  };
}

/** The metric objects; `update` replaces all their series with one scrape's outcome. */
export class OpenVpnStatusMetrics {
  private readonly up: Gauge<'status_path'>;
  private readonly updateTime: Gauge<'status_path'>;
  private readonly connectedClients: Gauge<'status_path'>;
  private readonly receivedBytes: Counter<(typeof CLIENT_LABELS)[number]>;
  private readonly sentBytes: Counter<(typeof CLIENT_LABELS)[number]>;
  private readonly routeLastReference: Gauge<(typeof ROUTE_LABELS)[number]>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.up = new Gauge({
      name: 'openvpn_up',
      help: "Whether scraping OpenVPN's metrics was successful.",
      labelNames: ['status_path'],
      registers,
    });
    this.updateTime = new Gauge({
      name: 'openvpn_status_update_time_seconds',
      help: 'UNIX timestamp at which the OpenVPN statistics were updated.',
      labelNames: ['status_path'],
      registers,
    });
    this.connectedClients = new Gauge({
      name: 'openvpn_server_connected_clients',
      help: 'Number Of Connected Clients',
      labelNames: ['status_path'],
      registers,
    });
    this.receivedBytes = new Counter({
      name: 'openvpn_server_client_received_bytes_total',
      help: 'Amount of data received over a connection on the VPN server, in bytes.',
      labelNames: CLIENT_LABELS,
      registers,
    });
    this.sentBytes = new Counter({
      name: 'openvpn_server_client_sent_bytes_total',
      help: 'Amount of data sent over a connection on the VPN server, in bytes.',
      labelNames: CLIENT_LABELS,
      registers,
    });
    this.routeLastReference = new Gauge({
      name: 'openvpn_server_route_last_reference_time_seconds',
      help: 'Time at which a route was last referenced, in seconds.',
      labelNames: ROUTE_LABELS,
      registers,
    });
  }

  update(scrapes: readonly StatusScrape[]): void {
    for (const metric of [this.up, this.updateTime, this.connectedClients, this.receivedBytes, this.sentBytes, this.routeLastReference]) {
      metric.reset();
    }
    for (const { statusPath, series } of scrapes) {
      const path = { status_path: statusPath };
      this.up.set(path, series ? 1 : 0);
      if (!series) continue;
      if (series.updateTimeSeconds !== null) this.updateTime.set(path, series.updateTimeSeconds);
      this.connectedClients.set(path, series.connectedClients);
      for (const c of series.clients) {
        this.receivedBytes.inc(c.labels, c.receivedBytes);
        this.sentBytes.inc(c.labels, c.sentBytes);
      }
      for (const r of series.routes) this.routeLastReference.set(r.labels, r.lastReferenceSeconds);
    }
  }
}
