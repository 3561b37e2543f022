/**
 * Prometheus text exposition (format 0.0.4) for metrics whose values we hold as decimal text. prom-client
 * prints every value through a JavaScript number, which is exact only up to 2^53, while OpenVPN's byte
 * counters and the kernel's segment counters run to 2^64.
 */

export type MetricType = 'counter' | 'gauge';

export interface Sample {
  labels: Readonly<Record<string, string>>;
  /** A sample value as the exposition carries it, e.g. `18446744073709551615` or `1.5`. */
  value: string;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly Sample[];
}

const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabelValue = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function sampleLine(name: string, { labels, value }: Sample): string {
  const pairs = Object.entries(labels).map(([label, text]) => `${label}="${escapeLabelValue(text)}"`);
  return `${name}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${value}`;
}

/** One family as prom-client lays it out: HELP, TYPE, then one line per sample, without a final newline. */
export function renderFamily({ name, help, type, samples }: MetricFamily): string {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`, ...samples.map((s) => sampleLine(name, s))].join('\n');
}
