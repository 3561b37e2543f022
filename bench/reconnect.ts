import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { e2eLib } from './e2e-lib';
import { report, summarize, type Measurement } from './report';

/**
 * The shoot client through the connect relay against OpenVPN's own `http-proxy` (the configuration before
 * the relay), alternating in one non-HA e2e lab (IPv4, CONNECT ingress stand-in) so that both see the same
 * machine load. Per configuration and run: tunnel-up (client OpenVPN start to the first reply through the
 * tunnel), the outage of a `ping -i 0.05` across a `kill -9` and restart of the server (and the part of it
 * after the server is ready again), and the throughput of one TCP connection pulling from a shoot host for
 * 5 s. Needs root; prints JSON and a table (throughput as MB/s in place of ms).
 *
 * The lab is the e2e project, loaded from e2e/dist at run time (see e2e-lib.ts).
 */
const { TunnelLab } = e2eLib('lab') as typeof import('../e2e/dist/lib/lab');
const { createCertificates } = e2eLib('certs') as typeof import('../e2e/dist/lib/certs');
const { longestGap } = e2eLib('measurement') as typeof import('../e2e/dist/lib/measurement');
const { ENVOY_GID } = e2eLib('lab-programs') as typeof import('../e2e/dist/lib/lab-programs');
const { cleanupOnExit } = e2eLib('exit-cleanup') as typeof import('../e2e/dist/lib/exit-cleanup');

type Lab = import('../e2e/dist/lib/lab').TunnelLab;
type LabSpec = import('../e2e/dist/lib/address-plan').LabSpec;
type ClientVia = import('../e2e/dist/lib/vpn-programs').ClientVia;
type StreamResult = import('../e2e/dist/lib/programs/stream').StreamResult;

const RUNS = 3;
const THROUGHPUT_MS = 5_000;
const STREAM_PORT = 8090;
const STREAM_PROGRAM = path.join(__dirname, '..', '..', 'e2e', 'dist', 'lib', 'programs', 'stream.js');
const VIAS: ClientVia[] = ['http-proxy', 'relay'];

interface Sample {
  tunnelUpMs: number;
  outageMs: number;
  serverReadyToTrafficMs: number;
  megabytesPerSecond: number;
}

let started = 0;

async function throughput(lab: Lab): Promise<number> {
  const op = { op: 'bulk', host: lab.measuredHost.address.address, port: STREAM_PORT, connections: 1 };
  const proc = lab.supervisor.start({
    name: `bulk-${started++}`,
    netns: lab.ns.server,
    file: process.execPath,
    args: [STREAM_PROGRAM, JSON.stringify(op)],
    gid: ENVOY_GID,
  });
  await proc.waitForLine(/stream started/, 5_000);
  await new Promise((r) => setTimeout(r, THROUGHPUT_MS));
  await proc.stop('SIGTERM');
  const last = proc.output().trim().split('\n').pop() ?? '';
  const result = JSON.parse(last) as StreamResult;
  if (result.error !== '') throw new Error(`bulk stream failed: ${result.error}`);
  return result.pulledBytes / 1e6 / (result.ms / 1000);
}

async function sample(lab: Lab, via: ClientVia, first: boolean): Promise<Sample> {
  if (!first) await lab.stopClient('SIGTERM');
  const up = await lab.tunnelUp(await lab.startClient(via));
  await lab.clientConnected();
  const megabytesPerSecond = await throughput(lab);

  const series = lab.startPingSeries(`ping-${via}-${started++}`);
  await new Promise((r) => setTimeout(r, 500));
  await lab.stopServer('SIGKILL');
  await lab.startServer();
  const readyAt = Date.now();
  const backAt = await lab.firstIcmpAnswer(30_000);
  await new Promise((r) => setTimeout(r, 500));
  const gap = longestGap(await series.stop());
  if (!gap) throw new Error('the ping series got too few replies');
  return { tunnelUpMs: up.fromOpenvpnMs, outageMs: gap.ms, serverReadyToTrafficMs: backAt - readyAt, megabytesPerSecond };
}

async function bench(): Promise<void> {
  const pki = mkdtempSync(path.join(os.tmpdir(), 'vpn-bench-reconnect-pki-'));
  cleanupOnExit(() => rmSync(pki, { recursive: true, force: true }));
  const spec: LabSpec = {
    name: 'bench-reconnect',
    shootFamilies: ['IPv4'],
    seedFamilies: ['IPv4'],
    seedPodsOverlapShootPods: false,
    headerKey: 'Reversed-VPN',
  };
  const lab = await TunnelLab.create({ spec, certs: await createCertificates(pki), secrets: 'valid' });
  try {
    await lab.startServer();
    await lab.startProgram(lab.ns.shootHosts, 'stream-server', 'stream', { op: 'serve', port: STREAM_PORT });
    const samples = new Map<ClientVia, Sample[]>(VIAS.map((v) => [v, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const via of VIAS) {
        const s = await sample(lab, via, i === 0 && via === VIAS[0]);
        samples.get(via)?.push(s);
        process.stderr.write(`${via} run ${i + 1}: ${JSON.stringify(s)}\n`);
      }
    }
    const results: Measurement[] = VIAS.flatMap((via) => {
      const of = (k: keyof Sample): number[] => (samples.get(via) ?? []).map((s) => s[k]);
      return [
        summarize(`${via}: tunnel-up from OpenVPN start`, of('tunnelUpMs')),
        summarize(`${via}: outage across a server kill -9 and restart`, of('outageMs')),
        summarize(`${via}: of it, server ready to traffic`, of('serverReadyToTrafficMs')),
        summarize(`${via}: throughput shoot->seed, MB/s`, of('megabytesPerSecond').map(round)),
      ];
    });
    report('reconnect', results);
    const median = (via: ClientVia): number =>
      summarize(
        '',
        (samples.get(via) ?? []).map((s) => s.megabytesPerSecond),
      ).medianMs;
    process.stdout.write(
      `\nthroughput through the relay: ${round((median('relay') / median('http-proxy')) * 100)} % of http-proxy (medians)\n`,
    );
  } catch (err) {
    process.stdout.write(lab.report());
    throw err;
  } finally {
    await lab.destroy();
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (process.getuid?.() !== 0) {
  process.stdout.write('reconnect: skipped, needs root (network namespaces, OpenVPN, iptables)\n');
} else {
  bench().catch((err: unknown) => {
    process.stderr.write(`reconnect failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
