import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { e2eLib } from './e2e-lib';
import { report, summarize, type Measurement } from './report';

/**
 * Planned restarts and seed families on real OpenVPN in network namespaces (the e2e HA lab): one rolling
 * update (server 0, server 1, vpn-shoot-0, vpn-shoot-1, one at a time; the longest ping gap of each step for
 * each kube-apiserver pod), then RUNS kills of the server carrying the active path on an IPv4, an IPv6-only
 * and a dual-stack seed. Needs root; prints JSON and a table.
 */
const { HaLab } = e2eLib('ha-lab') as typeof import('../e2e/dist/lib/ha-lab');
const { createHaCertificates } = e2eLib('ha-certs') as typeof import('../e2e/dist/lib/ha-certs');
const scenarios = e2eLib('ha-scenarios') as typeof import('../e2e/dist/lib/ha-scenarios');
const { rollingUpdate } = e2eLib('ha-rolling') as typeof import('../e2e/dist/lib/ha-rolling');
const { startStreamServer } = e2eLib('ha-streams') as typeof import('../e2e/dist/lib/ha-streams');
const { cleanupOnExit } = e2eLib('exit-cleanup') as typeof import('../e2e/dist/lib/exit-cleanup');

type HaLabInstance = import('../e2e/dist/lib/ha-lab').HaLab;
type SeedFamily = import('../e2e/dist/lib/ha-plan').SeedFamily;

const RUNS = 3;

async function withLab<T>(name: string, seedFamily: SeedFamily, pki: string, fn: (lab: HaLabInstance) => Promise<T>): Promise<T> {
  const spec = { name, shootClients: 2, seedClients: 2, overlap: false, seedFamily };
  const lab = await HaLab.create({ spec, certs: await createHaCertificates(pki, spec.shootClients) });
  try {
    await lab.startAll();
    return await fn(lab);
  } catch (err) {
    process.stdout.write(lab.report());
    throw err;
  } finally {
    await lab.destroy();
  }
}

async function bench(): Promise<void> {
  const pki = mkdtempSync(path.join(os.tmpdir(), 'vpn-bench-planned-pki-'));
  cleanupOnExit(() => rmSync(pki, { recursive: true, force: true }));
  const results: Measurement[] = [];

  const rolling = await withLab('brolling', 'IPv4', pki, async (lab) => {
    await startStreamServer(lab);
    await scenarios.settle(lab);
    return rollingUpdate(lab);
  });
  for (const step of rolling.steps)
    results.push(summarize(`rolling update, ${step.name}: longest gap per kube-apiserver pod`, step.gapsMs));

  for (const seedFamily of ['IPv4', 'IPv6', 'dual-stack'] as const) {
    const worst = await withLab(`b${seedFamily.slice(0, 4).replace('-', '')}`, seedFamily, pki, async (lab) => {
      const gaps: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await scenarios.settle(lab);
        const kill = await scenarios.killActiveServer(lab);
        gaps.push(Math.max(...kill.outages.map((o) => o.gapMs)));
        await scenarios.restartServer(lab, kill.server);
      }
      return gaps;
    });
    results.push(summarize(`${seedFamily} seed, kill -9 of the active server: longest gap`, worst));
  }

  report('ha-planned', results);
  const connects = rolling.connects.map((c) => ({ connects: c.connects, failed: c.failedConnects }));
  const held = rolling.held.map((h) => ({ longestSilenceMs: h.longestSilenceMs, error: h.error }));
  process.stdout.write('\n' + JSON.stringify({ bench: 'ha-planned', rolling: { steps: rolling.steps, held, connects } }) + '\n');
}

if (process.getuid?.() !== 0) {
  process.stdout.write('ha-planned: skipped, needs root (network namespaces, OpenVPN, iptables)\n');
} else {
  bench().catch((err: unknown) => {
    process.stderr.write(`ha-planned failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
