/** A benchmark's measurements: printed as one JSON document (for tools) and a table (for people). */
export interface Measurement {
  name: string;
  runs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

export function measure(name: string, runs: number, fn: () => void): Measurement {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return summarize(name, samples);
}

/** The statistics of samples in milliseconds, taken elsewhere (asynchronous work, other processes). */
export function summarize(name: string, samples: readonly number[]): Measurement {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { name, runs: sorted.length, medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1) };
}

export function report(bench: string, results: Measurement[]): void {
  process.stdout.write(JSON.stringify({ bench, node: process.version, results }) + '\n\n');
  const rows = results.map((r) => [r.name, String(r.runs), r.medianMs.toFixed(3), r.p95Ms.toFixed(3), r.maxMs.toFixed(3)]);
  const header = ['case', 'runs', 'median ms', 'p95 ms', 'max ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  process.stdout.write([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n');
}
