/**
 * TCP segment counters of the server pod, so that RetransSegs / OutSegs approximates the packet loss the
 * OpenVPN TCP session sees. The Go vpn2 exporter exports them untyped; ours stay gauges, as they always
 * were (the value is the kernel's counter as read at scrape time).
 */
import type { Logger } from '../log';
import { decimalSampleValue } from './decimal';
import type { MetricFamily } from './exposition';
import type { NetStats } from './netstat';

const EXPORTED_TCP_STATS = ['OutSegs', 'RetransSegs'] as const;

/** `stats` null = the files could not be read: the scrape then carries no netstat samples at all. */
export function netstatFamilies(stats: NetStats | null, logger: Logger): MetricFamily[] {
  return EXPORTED_TCP_STATS.map((name) => {
    const text = stats?.get('Tcp')?.get(name);
    const value = text === undefined ? undefined : decimalSampleValue(text);
    if (text !== undefined && value === undefined) logger.warn('cannot parse netstat value', { stat: `Tcp_${name}`, value: text });
    return {
      name: `openvpn_netstat_Tcp_${name}`,
      help: `Statistic Tcp${name}.`,
      type: 'gauge',
      samples: value === undefined ? [] : [{ labels: {}, value }],
    };
  });
}
