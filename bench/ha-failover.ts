import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { e2eLib } from './e2e-lib';
import { startNodeFloor } from './node-floor';
import { report, type Measurement } from './report';

/**
 * HA failover on real OpenVPN in network namespaces (the e2e HA lab: two servers, two vpn-shoot pods, two
 * kube-apiserver pods): RUNS repetitions of a SIGKILL and of a silent black hole of the server carrying the
 * active path, each measured as the longest gap of a `ping -i 0.02` from every kube-apiserver pod to a shoot
 * pod; the CPU and memory of the path and tunnel controllers over 60 s of steady probing; then 10 minutes
 * (BENCH_LOSS_SECONDS) of 5 % random loss on the active path: switches, the longest gap, how often the pings
 * stopped for longer than the failover goal, and the controllers' CPU and memory over the same 10 minutes
 * (first and last RSS: growth). With `npm run bench` the lab runs the bundled programs the images carry
 * (LAB_PROGRAMS=bundle). Beside them, the floor (node-floor.ts): an idle `node`, and a bare Node prober and
 * echoer exchanging the path controller's datagrams at its rate. Needs root; prints JSON and a table.
 *
 * The lab is the e2e project, loaded from e2e/dist at run time (see e2e-lib.ts).
 */
const { HaLab } = e2eLib('ha-lab') as typeof import('../e2e/dist/lib/ha-lab');
const { createHaCertificates } = e2eLib('ha-certs') as typeof import('../e2e/dist/lib/ha-certs');
const scenarios = e2eLib('ha-scenarios') as typeof import('../e2e/dist/lib/ha-scenarios');
const { cleanupOnExit } = e2eLib('exit-cleanup') as typeof import('../e2e/dist/lib/exit-cleanup');

type Outage = import('../e2e/dist/lib/ha-scenarios').Outage;
type Usage = import('../e2e/dist/lib/ha-usage').Usage;

const RUNS = 5;
const LOSS_MS = Number(process.env.BENCH_LOSS_SECONDS ?? 600) * 1000;
const USAGE_MS = 60_000;

interface Run {
  scenario: 'kill' | 'black-hole';
  server: number;
  outages: Outage[];
}

async function bench(): Promise<void> {
  const pki = mkdtempSync(path.join(os.tmpdir(), 'vpn-bench-ha-pki-'));
  cleanupOnExit(() => rmSync(pki, { recursive: true, force: true }));
  const spec = { name: 'bench', shootClients: 2, seedClients: 2, overlap: false };
  const lab = await HaLab.create({ spec, certs: await createHaCertificates(pki, spec.shootClients) });
  try {
    await lab.startAll();
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      await scenarios.settle(lab);
      const kill = await scenarios.killActiveServer(lab);
      runs.push({ scenario: 'kill', ...kill });
      await scenarios.restartServer(lab, kill.server);
      await scenarios.settle(lab);
      runs.push({ scenario: 'black-hole', ...(await scenarios.blackHoleActiveServer(lab)) });
      progress(runs.slice(-2));
    }
    await scenarios.settle(lab);
    const usage = await scenarios.controllerUsage(lab, USAGE_MS);
    const floor = await startNodeFloor(`bench-floor-${process.pid}`);
    await scenarios.settle(lab);
    const [loss, usageUnderLoss] = await Promise.all([
      scenarios.lossOnActivePath(lab, 0.05, LOSS_MS),
      scenarios.controllerUsage(lab, LOSS_MS),
    ]);
    const floorUsage = floor.stop();

    const worst = (scenario: Run['scenario']): number[] =>
      runs.filter((r) => r.scenario === scenario).map((r) => Math.max(...r.outages.map((o) => o.gapMs)));
    report('ha-failover', [
      summary('kill -9 of the active server: longest gap', worst('kill')),
      summary('black hole of the active server: longest gap', worst('black-hole')),
    ]);
    const extra = {
      bench: 'ha-failover',
      runs,
      loss: {
        probability: 0.05,
        seconds: LOSS_MS / 1000,
        server: loss.server,
        switches: loss.switches,
        deadVerdicts: loss.deadVerdicts,
        outages: loss.outages,
      },
      usage: { steady: usage.map(usageJson), underLoss: usageUnderLoss.map(usageJson), nodeFloor: floorUsage.map(usageJson) },
    };
    process.stdout.write('\n' + JSON.stringify(extra) + '\n\n');
    process.stdout.write(
      `5 % loss for ${LOSS_MS / 1000} s on server ${loss.server}: switches per kube-apiserver pod ${loss.switches.join(', ')}, dead verdicts ${loss.deadVerdicts.join(', ')}; longest gaps ${loss.outages.map((o) => `${o.gapMs} ms`).join(', ')}; gaps over ${scenarios.LONG_GAP_MS} ms ${loss.outages.map((o) => o.longGaps).join(', ')}\n`,
    );
    for (const [window, seconds, rows] of [
      ['steady', USAGE_MS / 1000, extra.usage.steady],
      ['under loss', LOSS_MS / 1000, extra.usage.underLoss],
      ['beside', LOSS_MS / 1000, extra.usage.nodeFloor],
    ] as const) {
      for (const u of rows)
        process.stdout.write(
          `${u.process.padEnd(28)} ${window} ${seconds} s: cpu ${u.cpuPercent.toFixed(2).padStart(5)} %  rss max ${u.maxRssMb.toFixed(1)} MB (first ${u.firstRssMb.toFixed(1)}, last ${u.lastRssMb.toFixed(1)})  anonymous ${u.maxAnonMb.toFixed(1)} MB\n`,
        );
    }
  } catch (err) {
    process.stdout.write(lab.report());
    throw err;
  } finally {
    await lab.destroy();
  }
}

function summary(name: string, samples: number[]): Measurement {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { name, runs: sorted.length, medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1) };
}

function progress(runs: Run[]): void {
  for (const r of runs) process.stderr.write(`${r.scenario} server=${r.server} gaps_ms=${r.outages.map((o) => o.gapMs).join(',')}\n`);
}

type UsageRow = { process: string } & Usage;

function usageJson(u: { name: string; usage: Usage }): UsageRow {
  const { cpuPercent, maxRssMb, firstRssMb, lastRssMb, maxAnonMb } = u.usage;
  return {
    process: u.name,
    cpuPercent: round(cpuPercent),
    maxRssMb: round(maxRssMb),
    firstRssMb: round(firstRssMb),
    lastRssMb: round(lastRssMb),
    maxAnonMb: round(maxAnonMb),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (process.getuid?.() !== 0) {
  process.stdout.write('ha-failover: skipped, needs root (network namespaces, OpenVPN, iptables)\n');
} else {
  bench().catch((err: unknown) => {
    process.stderr.write(`ha-failover failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
