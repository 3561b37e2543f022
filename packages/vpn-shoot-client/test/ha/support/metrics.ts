import type { Registry } from 'prom-client';

/**
 * The value of the one sample of `name` (or of a histogram's `_count`, `_sum`, `_bucket` as `sample`) with
 * exactly these labels; undefined when that series does not exist.
 */
export async function sampleValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
  sample = name,
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  // Histograms name each sample (`_bucket`, `_sum`, `_count`); the declared value type does not say so.
  const values = (await metric.get()).values as {
    value: number;
    labels: Record<string, string | number | undefined>;
    metricName?: string;
  }[];
  const wanted = Object.entries(labels);
  const found = values.find(
    (v) =>
      (v.metricName ?? name) === sample &&
      Object.keys(v.labels).length === wanted.length &&
      wanted.every(([label, value]) => String(v.labels[label]) === value),
  );
  return found?.value;
}
