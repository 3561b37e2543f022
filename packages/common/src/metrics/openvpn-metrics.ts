/**
 * The kumina/openvpn_exporter v0.3.0 server metrics the Go vpn2 exporter serves: the same names, types,
 * help texts and labels, so Gardener's scrape config, dashboards and alerts keep working. Values stay
 * decimal text from the file to the exposition, so byte counters past 2^53 stay exact.
 */
import { InputError } from '../errors';
import type { OpenVpnStatus } from '../openvpn/status';
import { decimalSampleValue } from './decimal';
import type { MetricFamily, Sample } from './exposition';

const CLIENT_LABELS = ['status_path', 'common_name', 'connection_time', 'real_address', 'virtual_address', 'username'] as const;
const ROUTE_LABELS = ['status_path', 'common_name', 'real_address', 'virtual_address'] as const;

type ClientLabels = Record<(typeof CLIENT_LABELS)[number], string>;
type RouteLabels = Record<(typeof ROUTE_LABELS)[number], string>;

/** Everything one parsed status file contributes to a scrape; numbers as exposition text. */
export interface StatusSeries {
  /** null when the file has no TIME line. */
  updateTimeSeconds: string | null;
  connectedClients: number;
  clients: Array<{ labels: ClientLabels; receivedBytes: bigint; sentBytes: bigint }>;
  routes: Array<{ labels: RouteLabels; lastReferenceSeconds: string }>;
}

/** One status path's outcome for a scrape; `series` is null when the file could not be read or parsed. */
export interface StatusScrape {
  statusPath: string;
  series: StatusSeries | null;
}

function unixTime(statusPath: string, column: string, value: string | null): string {
  const seconds = value === null ? undefined : decimalSampleValue(value);
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

const family = (name: string, help: string, type: MetricFamily['type'], samples: Sample[]): MetricFamily => ({ name, help, type, samples });

/** The six families of one scrape, in the order the reference registers them; a path that failed has only `openvpn_up 0`. */
export function openvpnFamilies(scrapes: readonly StatusScrape[]): MetricFamily[] {
  const path = (statusPath: string) => ({ status_path: statusPath });
  const written = scrapes.flatMap(({ statusPath, series }) => (series ? [{ statusPath, series }] : []));
  const clients = written.flatMap(({ series }) => series.clients);
  return [
    family(
      'openvpn_up',
      "Whether scraping OpenVPN's metrics was successful.",
      'gauge',
      scrapes.map(({ statusPath, series }) => ({ labels: path(statusPath), value: series ? '1' : '0' })),
    ),
    family(
      'openvpn_status_update_time_seconds',
      'UNIX timestamp at which the OpenVPN statistics were updated.',
      'gauge',
      written.flatMap(({ statusPath, series }) =>
        series.updateTimeSeconds === null ? [] : [{ labels: path(statusPath), value: series.updateTimeSeconds }],
      ),
    ),
    family(
      'openvpn_server_connected_clients',
      'Number Of Connected Clients',
      'gauge',
      written.map(({ statusPath, series }) => ({ labels: path(statusPath), value: String(series.connectedClients) })),
    ),
    family(
      'openvpn_server_client_received_bytes_total',
      'Amount of data received over a connection on the VPN server, in bytes.',
      'counter',
      clients.map((c) => ({ labels: c.labels, value: c.receivedBytes.toString() })),
    ),
    family(
      'openvpn_server_client_sent_bytes_total',
      'Amount of data sent over a connection on the VPN server, in bytes.',
      'counter',
      clients.map((c) => ({ labels: c.labels, value: c.sentBytes.toString() })),
    ),
    family(
      'openvpn_server_route_last_reference_time_seconds',
      'Time at which a route was last referenced, in seconds.',
      'gauge',
      written.flatMap(({ series }) => series.routes.map((r) => ({ labels: r.labels, value: r.lastReferenceSeconds }))),
    ),
  ];
}
