import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireRoot } from '@vpn/common/dist/test/support/privileges';
import type { LabSpec } from '../lib/address-plan';
import { createCertificates, type Certificates, type SecretsVariant } from '../lib/certs';
import { cleanupOnExit } from '../lib/exit-cleanup';
import { TunnelLab } from '../lib/lab';

let certificates: Promise<Certificates> | undefined;

/** One throwaway PKI for the whole run, removed when the process exits. */
export function sharedCertificates(): Promise<Certificates> {
  if (!certificates) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vpn-e2e-pki-'));
    cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));
    certificates = createCertificates(dir);
  }
  return certificates;
}

/**
 * Registers the hooks of a describe block that runs against one fresh lab: builds it before the first
 * test (root required; skipped outside CI without root), prints every process log when a test fails,
 * and removes namespaces, processes and files afterwards, whatever happened.
 */
export function useLab(spec: LabSpec, secrets: SecretsVariant = 'valid'): () => TunnelLab {
  let lab: TunnelLab | undefined;
  before(async function () {
    requireRoot(this);
    this.timeout(30_000);
    lab = await TunnelLab.create({ spec, certs: await sharedCertificates(), secrets });
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && lab) process.stdout.write(lab.report());
  });
  after(async function () {
    this.timeout(15_000);
    await lab?.destroy();
    lab = undefined;
  });
  return () => {
    if (!lab) throw new Error('the lab was not built');
    return lab;
  };
}

/** A `measure:` line in the test output, collected by whoever reports the numbers. */
export function measure(scenario: string, values: Record<string, string | number>): void {
  const fields = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  process.stdout.write(`      measure: scenario=${scenario} ${fields.join(' ')}\n`);
}

export const SPECS = {
  ipv4: { name: 'ipv4', shootFamilies: ['IPv4'], seedFamilies: ['IPv4'], seedPodsOverlapShootPods: false, headerKey: 'Reversed-VPN' },
  dualStack: {
    name: 'dual-stack',
    shootFamilies: ['IPv4', 'IPv6'],
    seedFamilies: ['IPv4', 'IPv6'],
    seedPodsOverlapShootPods: false,
    headerKey: 'X-Gardener-Destination',
  },
  ipv6: {
    name: 'ipv6',
    shootFamilies: ['IPv6'],
    seedFamilies: ['IPv6'],
    seedPodsOverlapShootPods: false,
    headerKey: 'X-Gardener-Destination',
  },
  overlap: {
    name: 'overlap',
    shootFamilies: ['IPv4'],
    seedFamilies: ['IPv4'],
    seedPodsOverlapShootPods: true,
    headerKey: 'X-Gardener-Destination',
  },
} satisfies Record<string, LabSpec>;
