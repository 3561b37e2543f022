import { execFile } from 'node:child_process';
import {
  Cidr,
  createFirewall,
  iptablesBackend,
  run,
  SEED_SERVER_ROOT_TAG,
  seedServerRootRules,
  shootNetworksForNetmap,
  silentLogger,
  type BackendName,
} from '@vpn/common';
import { e2eLib } from './e2e-lib';
import { report, summarize, type Measurement } from './report';

/**
 * The root command's envoy NETMAP rules for 1,000 shoot node networks (IPv4 nat OUTPUT), applied by our
 * engine (one iptables-save per family, one iptables-restore --noflush transaction) and, as the reference
 * does, by one iptables process per rule. Each backend runs in a throwaway network namespace; the
 * measuring runs happen inside it (`ip netns exec` would otherwise add its own cost to every process).
 * A fresh process's first apply is measured apart: the CLI is such a process. Needs root.
 */
const BACKENDS: readonly BackendName[] = ['legacy', 'nft'];
const NETWORKS = 1000;
const RUNS = 10;
const COLD_RUNS = 5;
const REFERENCE_RUNS = 3;
const RULES = seedServerRootRules(
  shootNetworksForNetmap(
    [],
    [],
    Array.from({ length: NETWORKS }, (_, i) => Cidr.parse(`10.${i >> 8}.${i & 255}.0/24`)),
  ),
);

type Mode = 'warm' | 'cold';
interface Samples {
  name: string;
  samples: number[];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function must(file: string, args: readonly string[]): Promise<string> {
  const result = await run(file, args);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

async function requireRuleCount(backend: BackendName, expected: number): Promise<void> {
  const saved = await must(`/usr/sbin/iptables-${backend}-save`, ['-t', 'nat']);
  const count = saved.split('\n').filter((line) => line.startsWith('-A OUTPUT ')).length;
  if (count !== expected) throw new Error(`expected ${expected} rules in nat OUTPUT, found ${count}`);
}

/** The tagged rule as our engine writes it, so both ways build the same rules. */
function taggedArgs(args: readonly string[]): string[] {
  const target = args.indexOf('-j');
  return [...args.slice(0, target), '-m', 'comment', '--comment', SEED_SERVER_ROOT_TAG, ...args.slice(target)];
}

/** Runs inside the namespace: the measurements of one mode, as JSON on stdout. */
async function measureInside(backend: BackendName, mode: Mode): Promise<Samples[]> {
  const applyAll = (): Promise<unknown> => createFirewall(iptablesBackend(backend), silentLogger).apply(SEED_SERVER_ROOT_TAG, RULES);
  if (mode === 'cold') {
    const sample = await timed(applyAll);
    await requireRuleCount(backend, NETWORKS);
    await createFirewall(iptablesBackend(backend), silentLogger).remove(SEED_SERVER_ROOT_TAG);
    return [{ name: `${backend}: engine, first apply of a fresh process`, samples: [sample] }];
  }
  const firewall = createFirewall(iptablesBackend(backend), silentLogger);
  const apply: number[] = [];
  const again: number[] = [];
  const remove: number[] = [];
  const perRule: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    apply.push(await timed(applyAll));
    await requireRuleCount(backend, NETWORKS);
    again.push(await timed(() => firewall.apply(SEED_SERVER_ROOT_TAG, RULES)));
    remove.push(await timed(() => firewall.remove(SEED_SERVER_ROOT_TAG)));
    await requireRuleCount(backend, 0);
  }
  const iptables = `/usr/sbin/iptables-${backend}`;
  for (let i = 0; i < REFERENCE_RUNS; i++) {
    perRule.push(
      await timed(async () => {
        for (const rule of RULES) await must(iptables, ['--wait', '-t', rule.table, '-A', rule.chain, ...taggedArgs(rule.args)]);
      }),
    );
    await requireRuleCount(backend, NETWORKS);
    await must(iptables, ['--wait', '-t', 'nat', '-F', 'OUTPUT']);
  }
  return [
    { name: `${backend}: engine apply (one restore transaction)`, samples: apply },
    { name: `${backend}: engine apply again (nothing to change)`, samples: again },
    { name: `${backend}: engine remove`, samples: remove },
    { name: `${backend}: one iptables -A process per rule`, samples: perRule },
  ];
}

function runInside(command: { file: string; args: string[] }): Promise<Samples[]> {
  return new Promise((resolve, reject) => {
    execFile(command.file, command.args, { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command.args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Samples[]);
    });
  });
}

async function bench(): Promise<void> {
  const { Netns } = e2eLib('netns') as typeof import('../e2e/dist/lib/netns');
  const results: Measurement[] = [];
  for (const backend of BACKENDS) {
    const ns = await Netns.create(`bench-fw-${backend}-${process.pid}`);
    try {
      const inside = (mode: Mode): Promise<Samples[]> => runInside(ns.command(process.execPath, [__filename, 'inside', backend, mode]));
      const cold: number[] = [];
      for (let i = 0; i < COLD_RUNS; i++) cold.push(...(await inside('cold'))[0].samples);
      const warm = await inside('warm');
      results.push(summarize(`${backend}: engine, first apply of a fresh process`, cold), ...warm.map((s) => summarize(s.name, s.samples)));
    } finally {
      ns.destroy();
    }
  }
  report('firewall', results);
}

const [role, backendArg, modeArg] = process.argv.slice(2);
if (role === 'inside') {
  measureInside(backendArg as BackendName, modeArg as Mode).then(
    (samples) => process.stdout.write(JSON.stringify(samples)),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
} else if (process.getuid?.() !== 0) {
  process.stdout.write(`firewall: skipped, needs root (network namespaces, iptables)\n`);
} else {
  bench().catch((err: unknown) => {
    process.stderr.write(`firewall failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
