import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { e2eLib } from './e2e-lib';
import { report, type Measurement } from './report';

/**
 * HA failover on real OpenVPN in network namespaces (the e2e HA lab: two servers, two vpn-shoot pods, two
 * kube-apiserver pods): RUNS repetitions of a SIGKILL and of a silent black hole of the server carrying the
 * active path, each measured as the longest gap of a `ping -i 0.02` from every kube-apiserver pod to a shoot
 * pod; then 60 s of 5 % random loss on the active path (switches), and the CPU and RSS of the path and
 * tunnel controllers over 30 s of steady probing. Needs root; prints JSON and a table.
 *
 * The lab is the e2e project, loaded from e2e/dist at run time (see e2e-lib.ts).
 */
const { HaLab } = e2eLib('ha-lab') as typeof import('../e2e/dist/lib/ha-lab');
const { createHaCertificates } = e2eLib('ha-certs') as typeof import('../e2e/dist/lib/ha-certs');
const scenarios = e2eLib('ha-scenarios') as typeof import('../e2e/dist/lib/ha-scenarios');
const { cleanupOnExit } = e2eLib('exit-cleanup') as typeof import('../e2e/dist/lib/exit-cleanup');

type Outage = import('../e2e/dist/lib/ha-scenarios').Outage;

const RUNS = 5;
const LOSS_MS = 60_000;
const USAGE_MS = 30_000;

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
    const loss = await scenarios.lossOnActivePath(lab, 0.05, LOSS_MS);
    await scenarios.settle(lab);
    const usage = await scenarios.controllerUsage(lab, USAGE_MS);

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
      usage: usage.map((u) => ({ process: u.name, cpuPercent: round(u.usage.cpuPercent), maxRssMb: round(u.usage.maxRssMb) })),
    };
    process.stdout.write('\n' + JSON.stringify(extra) + '\n\n');
    process.stdout.write(
      `5 % loss for ${LOSS_MS / 1000} s on server ${loss.server}: switches per kube-apiserver pod ${loss.switches.join(', ')}, dead verdicts ${loss.deadVerdicts.join(', ')}; longest gaps ${loss.outages.map((o) => `${o.gapMs} ms`).join(', ')}\n`,
    );
    for (const u of extra.usage)
      process.stdout.write(
        `${u.process.padEnd(28)} cpu ${u.cpuPercent.toFixed(2).padStart(5)} %  rss ${u.maxRssMb.toFixed(1)} MB (${USAGE_MS / 1000} s)\n`,
      );
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
