import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireRoot } from '@vpn/common/dist/test/support/privileges';
import { cleanupOnExit } from '../lib/exit-cleanup';
import { createHaCertificates } from '../lib/ha-certs';
import { HaLab } from '../lib/ha-lab';
import { range, type HaLabSpec } from '../lib/ha-plan';
import type { Outage } from '../lib/ha-scenarios';
import { seconds } from '../lib/measurement';
import { measure } from '../scenarios/support';

/**
 * Registers the hooks of a describe block that runs its tests in sequence against one HA lab: builds it
 * and brings every tunnel and controller up before the first test (root required; skipped outside CI
 * without root), prints every process log when a test fails, and removes namespaces, processes and
 * files afterwards, whatever happened.
 */
export function useHaLab(spec: HaLabSpec): () => HaLab {
  let lab: HaLab | undefined;
  let pki: string | undefined;
  let forgetPki: (() => void) | undefined;
  before(async function () {
    requireRoot(this);
    this.timeout(90_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vpn-e2e-ha-pki-'));
    pki = dir;
    forgetPki = cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));
    lab = await HaLab.create({ spec, certs: await createHaCertificates(dir, spec.shootClients) });
    try {
      await lab.startAll();
    } catch (err) {
      process.stdout.write(lab.report());
      throw err;
    }
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && lab) process.stdout.write(lab.report());
  });
  after(async function () {
    this.timeout(20_000);
    await lab?.destroy();
    lab = undefined;
    if (pki) rmSync(pki, { recursive: true, force: true });
    forgetPki?.();
  });
  return () => {
    if (!lab) throw new Error('the HA lab was not built');
    return lab;
  };
}

/** After a fault of `server`: none of `pods` (every kube-apiserver pod unless given) routes over it any more. */
export function assertRoutedOff(lab: HaLab, server: number, pods: readonly number[] = range(lab.plan.spec.seedClients)): void {
  for (const k of pods) {
    assert.ok(
      !lab.pathView(k).active.some((p) => p.startsWith(`tap${server}/`)),
      `kube-apiserver pod ${k} still routes over server ${server}`,
    );
  }
}

/** One `measure:` line per kube-apiserver pod. */
export function measureOutages(scenario: string, outages: readonly Outage[], extra: Record<string, string | number> = {}): void {
  for (const o of outages) measure(scenario, { gap_s: seconds(o.gapMs), lost: o.lost, kapi: o.kapi, ...extra, replies: o.replies });
}

export { measure };
