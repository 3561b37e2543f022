/**
 * TCP segment counters of the server pod, so that RetransSegs / OutSegs approximates the packet loss the
 * OpenVPN TCP session sees (gardener/vpn2 pkg/openvpn/exporter/netstat.go). The reference exports them untyped; prom-client has no
 * untyped metrics, so they are gauges (the value is the kernel's counter as read at scrape time).
 */
import { Gauge, Registry } from 'prom-client';
import type { Logger } from '../log';
import { parseDecimal } from './decimal';
import type { NetStats } from './netstat';

const EXPORTED_TCP_STATS = ['OutSegs', 'RetransSegs'] as const;

export class NetstatMetrics {
  private readonly gauges: ReadonlyMap<(typeof EXPORTED_TCP_STATS)[number], Gauge>;

  constructor(
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.gauges = new Map(
      EXPORTED_TCP_STATS.map((name) => [
        name,
        new Gauge({ name: `openvpn_netstat_Tcp_${name}`, help: `Statistic Tcp${name}.`, registers: [registry] }),
      ]),
    );
  }

  /** `stats` null = the files could not be read: the scrape then carries no netstat samples at all. */
  update(stats: NetStats | null): void {
    for (const [name, gauge] of this.gauges) {
      const text = stats?.get('Tcp')?.get(name);
      const value = text === undefined ? undefined : parseDecimal(text);
      if (value !== undefined) {
        gauge.set(value);
        continue;
      }
      if (text !== undefined) this.logger.warn('cannot parse netstat value', { stat: `Tcp_${name}`, value: text });
      // A labelless gauge always has a sample; removing it is how a scrape omits the metric.
      gauge.remove();
    }
  }
}
