import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { report, summarize, type Measurement } from './report';

/**
 * Start-up of the images' programs (dist/bundle, built by `npm run bench`) next to `node -e 0`, interleaved
 * run by run so that both see the same machine: the seed server's root command with three shoot networks
 * (render the config, detect the iptables backend, read both families' rules, apply the NETMAP rules) in a
 * fresh network namespace and again in the same one (nothing to change), a readiness probe, and `--version`
 * (the argument parser). Every command runs through `nsenter --net`, the baseline too. Also the resident
 * memory of an idle `node` (the floor the controllers are measured against in ha-failover). Needs root.
 */
const RUNS = 15;
const ROOT = path.resolve(__dirname, '..', '..');
const SEED_SERVER = path.join(ROOT, 'dist', 'bundle', 'vpn-seed-server', 'vpn-seed-server.js');

function run(netns: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync('nsenter', [`--net=/run/netns/${netns}`, ...args], { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && !args.includes('readiness')) throw new Error(`${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
  return ms;
}

function ip(args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr}`);
}

function idleRssMb(): number {
  const script = 'setTimeout(() => console.log(process.memoryUsage().rss), 1000)';
  const samples = Array.from(
    { length: 3 },
    () => Number(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout) / 1048576,
  );
  return samples.sort((a, b) => a - b)[1] ?? NaN;
}

function bench(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vpn-bench-startup-'));
  const netns = `vpnbs${process.pid}`;
  const env = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    SHOOT_SERVICE_NETWORKS: '100.64.0.0/13',
    SHOOT_POD_NETWORKS: '100.96.0.0/11',
    SHOOT_NODE_NETWORKS: '10.250.0.0/16',
    SEED_POD_NETWORK: '10.0.0.0/16',
    OPENVPN_STATUS_PATH: path.join(dir, 'status'),
  };
  const root = [
    process.execPath,
    SEED_SERVER,
    '--config-file',
    path.join(dir, 'server.conf'),
    '--client-config-dir',
    path.join(dir, 'ccd'),
    '--secrets-dir',
    dir,
  ];
  const samples: Record<string, number[]> = { node: [], first: [], again: [], readiness: [], version: [] };
  try {
    for (let i = 0; i < RUNS; i++) {
      ip(['netns', 'add', netns]);
      try {
        samples.node.push(run(netns, [process.execPath, '-e', '0'], env));
        samples.first.push(run(netns, root, env));
        samples.again.push(run(netns, root, env));
        samples.readiness.push(run(netns, [process.execPath, SEED_SERVER, 'readiness'], env));
        samples.version.push(run(netns, [process.execPath, SEED_SERVER, '--version'], env));
      } finally {
        ip(['netns', 'delete', netns]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const results: Measurement[] = [
    summarize('node -e 0', samples.node),
    summarize('vpn-seed-server root, 3 networks, fresh netns', samples.first),
    summarize('vpn-seed-server root, 3 networks, rules in place', samples.again),
    summarize('vpn-seed-server readiness (no status file)', samples.readiness),
    summarize('vpn-seed-server --version (argument parser)', samples.version),
  ];
  report('startup', results);
  const floor = results[0].medianMs;
  const ratios = Object.fromEntries(results.slice(1).map((r) => [r.name, Math.round((r.medianMs / floor) * 100) / 100]));
  const rss = idleRssMb();
  process.stdout.write('\n' + JSON.stringify({ bench: 'startup', ratioToNodeE0: ratios, idleNodeRssMb: Math.round(rss * 10) / 10 }) + '\n');
  for (const [name, ratio] of Object.entries(ratios)) process.stdout.write(`${name}: ${ratio.toFixed(2)} × node -e 0\n`);
  process.stdout.write(`idle node (setTimeout): ${rss.toFixed(1)} MB RSS\n`);
}

if (process.getuid?.() !== 0) {
  process.stdout.write('startup: skipped, needs root (network namespaces, iptables)\n');
} else {
  try {
    bench();
  } catch (err) {
    process.stderr.write(`startup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
