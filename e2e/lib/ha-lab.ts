import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_PATH_METRICS_PORT } from '@vpn/common';
import { READINESS_PORT } from '@vpn/vpn-shoot-client/dist/src/ha/timing';
import type { Upstream } from './connect-proxy';
import { cleanupOnExit } from './exit-cleanup';
import { writeHaSecrets, type HaCertificates } from './ha-certs';
import type { FlowsResult } from './ha-flows';
import { HA_SERVERS, HEADER_KEY, haPlan, haServerClusterName, ipv4Of, range, type HaLabSpec, type HaPlan } from './ha-plan';
import {
  clientArgs,
  haFiles,
  pathControllerEnv,
  seedClientEnv,
  seedClientSetupEnv,
  serverArgs,
  serverEnv,
  shootClientEnv,
  shootClientSetupEnv,
  tunnelControllerEnv,
  type BondingMode,
  type HaFiles,
} from './ha-programs';
import { HaTopology, type HaNamespaces } from './ha-topology';
import { allPaths, readControllerLog, returnRoutes, routesInSync, type ControllerView } from './ha-verdicts';
import { parsePingReplies, type PingReply } from './measurement';
import type { Netns } from './netns';
import { ProcessSupervisor, sleep, type SupervisedProcess } from './process-supervisor';
import type { IngressConfig } from './programs/ingress-proxy';
import type { ProbeOp, ProbeResult } from './programs/probe';
import { ENVOY_GID, ENVOY_PORT, SEED_SERVER, SHOOT_CLIENT, SHOOT_HOST_PORT } from './vpn-programs';

export interface HaLabOptions {
  spec: HaLabSpec;
  certs: HaCertificates;
}

/** The port of the flow sink on the shoot hosts (balance-rr spreading). */
export const FLOW_PORT = 9000;

const PROGRAMS = path.join(__dirname, 'programs');
const FLOWS_PROGRAM = path.join(__dirname, 'ha-flows.js');
const READY_LINE = /Initialization Sequence Completed/;
let labCount = 0;

/** A fault injected into the lab; `undo` removes exactly what was added. */
export interface Fault {
  undo(): Promise<void>;
}

/**
 * One HA lab (docs/ha.md): the topology, the stand-ins (ingress, shoot hosts, flow sink) and this
 * repository's programs run as Gardener's containers would, every file under a private temporary directory.
 * Two servers; kube-apiserver pod k runs `setup`, two OpenVPN clients (tap0, tap1) and a path controller;
 * vpn-shoot-k runs `setup`, two OpenVPN clients through the ingress and a tunnel controller.
 */
export class HaLab {
  private readonly counters = new Map<string, number>();
  private readonly serverOpenvpn: (SupervisedProcess | undefined)[] = [];
  private readonly pathControllers: (SupervisedProcess | undefined)[] = [];
  private readonly clientOpenvpn: SupervisedProcess[] = [];
  private readonly tunnelControllers: SupervisedProcess[] = [];

  private constructor(
    readonly plan: HaPlan,
    readonly files: HaFiles,
    readonly topology: HaTopology,
    readonly supervisor: ProcessSupervisor,
    private readonly forgetDir: () => void,
  ) {}

  static async create(opts: HaLabOptions): Promise<HaLab> {
    const plan = haPlan(opts.spec);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `vpn-e2e-ha-${opts.spec.name}-`));
    const forgetDir = cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));
    const files = haFiles(dir);
    try {
      const dirs = [
        files.logDir,
        ...range(HA_SERVERS).flatMap((s) => [path.dirname(files.serverConfig(s)), path.dirname(files.serverStatus(s))]),
        ...range(opts.spec.seedClients).map((k) => path.dirname(files.seedClientConfig(k, 0))),
        ...range(opts.spec.shootClients).map((k) => path.dirname(files.shootClientConfig(k, 0))),
      ];
      for (const d of dirs) await fs.mkdir(d, { recursive: true, mode: 0o700 });
      await writeHaSecrets(files.secretsDir, opts.certs);
      const topology = await HaTopology.build(plan, `e2eha-${process.pid}-${labCount++}`);
      const lab = new HaLab(plan, files, topology, new ProcessSupervisor(files.logDir), forgetDir);
      try {
        await lab.startStandIns();
      } catch (err) {
        await lab.destroy();
        throw err;
      }
      return lab;
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      forgetDir();
      throw err;
    }
  }

  get ns(): HaNamespaces {
    return this.topology.ns;
  }

  /**
   * Servers, then kube-apiserver pods and vpn-shoot pods in parallel; resolves when every OpenVPN client
   * is connected and every path controller reports every path healthy.
   */
  async startAll(): Promise<void> {
    await Promise.all(range(HA_SERVERS).map((s) => this.startServer(s)));
    await Promise.all([
      ...range(this.plan.spec.seedClients).map((k) => this.startSeedClient(k)),
      ...range(this.plan.spec.shootClients).map((k) => this.startShootClient(k)),
    ]);
    await Promise.all(this.clientOpenvpn.map((p) => p.waitForLine(READY_LINE, 30_000)));
    await this.waitAllHealthy(30_000);
  }

  /** The vpn-seed-server-s container: `setup` on its first start (init container), the root command, then OpenVPN. */
  async startServer(s: number): Promise<void> {
    const ns = this.ns.servers[s];
    const env = serverEnv(this.plan, this.files, s);
    const n = this.next(`server${s}`);
    if (n === 0) await this.node(ns, `server${s}-setup`, [SEED_SERVER, 'setup'], env);
    await this.node(ns, `server${s}-config`, serverArgs(this.files, s), env);
    const openvpn = this.supervisor.start({ name: `server${s}-openvpn-${n}`, netns: ns, file: 'openvpn', args: ['--config', this.files.serverConfig(s)], cwd: this.files.dir });
    this.serverOpenvpn[s] = openvpn;
    await openvpn.waitForLine(READY_LINE, 10_000);
  }

  async stopServer(s: number, signal: NodeJS.Signals): Promise<void> {
    await this.serverOpenvpn[s]?.stop(signal);
  }

  /** kube-apiserver pod k: `vpn-client-init`, then `vpn-client-0/1` (root command + OpenVPN) and the path controller. */
  async startSeedClient(k: number): Promise<void> {
    const ns = this.ns.seedClients[k];
    await this.node(ns, `kapi${k}-setup`, [SHOOT_CLIENT, 'setup'], seedClientSetupEnv(this.plan, k));
    await Promise.all(
      range(HA_SERVERS).map(async (s) => {
        await this.node(ns, `kapi${k}-client${s}-config`, clientArgs(this.files, this.files.seedClientConfig(k, s)), seedClientEnv(this.plan, s));
        this.clientOpenvpn.push(
          this.supervisor.start({ name: `kapi${k}-client${s}-openvpn`, netns: ns, file: 'openvpn', args: ['--config', this.files.seedClientConfig(k, s)], cwd: this.files.dir }),
        );
      }),
    );
    this.startPathController(k, 'active-backup');
  }

  /** vpn-shoot-k: `vpn-shoot-init`, then `vpn-shoot-s0/s1` (root command + OpenVPN through the ingress) and the tunnel controller. */
  async startShootClient(k: number): Promise<void> {
    const ns = this.ns.shootClients[k];
    await this.node(ns, `shoot${k}-setup`, [SHOOT_CLIENT, 'setup'], shootClientSetupEnv(this.plan, k));
    await Promise.all(
      range(HA_SERVERS).map(async (s) => {
        await this.node(ns, `shoot${k}-client${s}-config`, clientArgs(this.files, this.files.shootClientConfig(k, s)), shootClientEnv(this.plan, k, s));
        this.clientOpenvpn.push(
          this.supervisor.start({ name: `shoot${k}-client${s}-openvpn`, netns: ns, file: 'openvpn', args: ['--config', this.files.shootClientConfig(k, s)], cwd: this.files.dir }),
        );
      }),
    );
    const controller = this.supervisor.start({ name: `shoot${k}-tunnel-controller`, netns: ns, file: process.execPath, args: [SHOOT_CLIENT, 'tunnel-controller'], env: tunnelControllerEnv(this.plan) });
    this.tunnelControllers.push(controller);
    await controller.waitForLine(/tunnel controller listening/, 10_000);
  }

  /** Replaces every path controller by a new one (a new boot id) in `mode`; the routes stay meanwhile. */
  async restartPathControllers(mode: BondingMode): Promise<void> {
    await Promise.all(
      range(this.plan.spec.seedClients).map(async (k) => {
        await this.pathControllers[k]?.stop('SIGTERM');
        this.startPathController(k, mode);
      }),
    );
    await this.waitAllHealthy(15_000);
  }

  /** What kube-apiserver pod k's current path controller logged, from line `since` on. */
  pathView(k: number, since = 0): ControllerView {
    return readControllerLog(this.pathControllerLines(k).slice(since));
  }

  /** `GET /metrics` of kube-apiserver pod k's path controller or of vpn-shoot-k's tunnel controller, as Prometheus would scrape it. */
  async scrape(controller: 'path' | 'tunnel', k: number): Promise<string> {
    const [ns, port] = controller === 'path' ? [this.ns.seedClients[k], DEFAULT_PATH_METRICS_PORT] : [this.ns.shootClients[k], READINESS_PORT];
    return ns.execOk('curl', ['-sSf', '--max-time', '2', `http://127.0.0.1:${port}/metrics`], { timeoutMs: 5_000 });
  }

  /** The number of lines path controller k has logged so far: a mark for pathView(k, mark). */
  pathLogMark(k: number): number {
    return this.pathControllerLines(k).length;
  }

  /**
   * Waits until every current path controller's last verdict on every path is "healthy" and its shoot
   * routes are installed, and every tunnel controller has installed a return route to every pod.
   */
  async waitAllHealthy(timeoutMs: number): Promise<void> {
    const paths = allPaths(HA_SERVERS, this.plan.spec.shootClients);
    const views = (): ControllerView[] => range(this.plan.spec.seedClients).map((k) => this.pathView(k));
    const returned = (pods: string[]): boolean =>
      this.tunnelControllers.every((c) => {
        const routes = returnRoutes(c.output().split('\n'));
        return pods.every((pod) => routes.has(`${pod}/32`) || routes.has(`${pod}/128`));
      });
    await this.waitUntil(
      () => {
        const all = views();
        return all.every((v) => paths.every((p) => v.healthy.has(p)) && routesInSync(v)) && returned(all.map((v) => v.podIp ?? ''));
      },
      timeoutMs,
      () => `every path healthy with routes (${views().map((v, k) => `kapi${k}: healthy ${[...v.healthy].join(',') || 'none'}, active ${v.active.join(',') || 'none'}, installed ${[...v.installed].join(',') || 'none'}`).join('; ')})`,
    );
  }

  async waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
      await sleep(50);
    }
  }

  /** A `ping -D -i 0.02` series (at most 5 minutes) from kube-apiserver pod k to `target`; `stop` returns its replies. */
  startPing(k: number, target: string): { stop(): Promise<PingReply[]> } {
    const proc = this.supervisor.start({
      name: `kapi${k}-ping-${this.next(`ping${k}`)}`,
      netns: this.ns.seedClients[k],
      file: 'ping',
      args: ['-D', '-n', '-i', '0.02', '-c', String(300 * 50), target],
    });
    return {
      stop: async () => {
        await proc.stop('SIGINT');
        return parsePingReplies(proc.output());
      },
    };
  }

  /** Server s's pod drops every packet on eth0, both ways, both families, without a reset: a silent black hole. */
  async blackHole(s: number): Promise<Fault> {
    return this.iptablesFault(this.ns.servers[s], [
      ['INPUT', '-i', 'eth0', '-j', 'DROP'],
      ['OUTPUT', '-o', 'eth0', '-j', 'DROP'],
    ], ['iptables', 'ip6tables']);
  }

  /** Random loss of `probability` on the link between the ingress and server s, in each direction. */
  async lossToServer(s: number, probability: number): Promise<Fault> {
    const ingress = ipv4Of(this.plan.ingressInternal);
    const loss = ['-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-j', 'DROP'];
    return this.iptablesFault(this.ns.servers[s], [
      ['INPUT', '-i', 'eth0', '-s', ingress, ...loss],
      ['OUTPUT', '-o', 'eth0', '-d', ingress, ...loss],
    ], ['iptables']);
  }

  /** Bytes received plus sent on server s's eth0: every tunnel of that server crosses it. */
  async serverBytes(s: number): Promise<number> {
    const [link] = JSON.parse(await this.ns.servers[s].ip('-s', '-j', 'link', 'show', 'eth0')) as { stats64: { rx: { bytes: number }; tx: { bytes: number } } }[];
    return link.stats64.rx.bytes + link.stats64.tx.bytes;
  }

  /** Runs one probe of `programs/probe` inside `ns`. */
  async probe(ns: Netns, op: ProbeOp): Promise<ProbeResult> {
    const r = await ns.exec(process.execPath, [path.join(PROGRAMS, 'probe.js'), JSON.stringify(op)], { timeoutMs: 30_000 });
    try {
      return JSON.parse(r.stdout) as ProbeResult;
    } catch {
      return { ok: false, detail: `probe crashed: ${(r.stderr || r.stdout).trim()}`, ms: 0 };
    }
  }

  /** `flows` concurrent TCP flows of `bytes` each from kube-apiserver pod k to every target's flow sink. */
  async flows(k: number, targets: string[], flows: number, bytes: number): Promise<FlowsResult> {
    const op = { op: 'send', targets: targets.map((host): Upstream => ({ host, port: FLOW_PORT })), flows, bytes, timeoutMs: 30_000 };
    const r = await this.ns.seedClients[k].exec(process.execPath, [FLOWS_PROGRAM, JSON.stringify(op)], { timeoutMs: 40_000 });
    try {
      return JSON.parse(r.stdout) as FlowsResult;
    } catch {
      return { ok: 0, failed: flows * targets.length, detail: `flows crashed: ${(r.stderr || r.stdout).trim()}`, ms: 0 };
    }
  }

  /** Starts a program of `programs/` inside `ns` and waits until it says it listens. */
  async startProgram(ns: Netns, name: string, program: string, config: object, gid?: number): Promise<SupervisedProcess> {
    const proc = this.supervisor.start({ name, netns: ns, file: process.execPath, args: [path.join(PROGRAMS, `${program}.js`), JSON.stringify(config)], gid });
    await proc.waitForLine(/listening/, 5_000);
    return proc;
  }

  /** Starts the envoy stand-in of kube-apiserver pod k (group 31415), which the pod has only when seed and shoot overlap. */
  async startEnvoy(k: number): Promise<Upstream> {
    await this.startProgram(this.ns.seedClients[k], `kapi${k}-envoy`, 'envoy-proxy', { host: '::', port: ENVOY_PORT }, ENVOY_GID);
    return { host: '127.0.0.1', port: ENVOY_PORT };
  }

  /** Process ids of the path controllers (kube-apiserver pods) and tunnel controllers (vpn-shoot pods). */
  controllerPids(): { name: string; pid: number }[] {
    const find = (ns: Netns, command: string, name: string): { name: string; pid: number } => {
      const pid = readPids(ns).find((p) => cmdline(p).includes(command));
      if (pid === undefined) throw new Error(`no ${command} running in ${ns.name}`);
      return { name, pid };
    };
    return [
      ...this.ns.seedClients.map((ns, k) => find(ns, 'path-controller', `path-controller kapi${k}`)),
      ...this.ns.shootClients.map((ns, k) => find(ns, 'tunnel-controller', `tunnel-controller shoot${k}`)),
    ];
  }

  /** The logs of every process of this lab, for a failed test. */
  report(): string {
    return `HA lab ${this.plan.spec.name} (${this.files.dir})\n${this.supervisor.report()}\n`;
  }

  async destroy(): Promise<void> {
    this.topology.destroy();
    await this.supervisor.stopAll('SIGKILL');
    await fs.rm(this.files.dir, { recursive: true, force: true });
    this.forgetDir();
  }

  private startPathController(k: number, mode: BondingMode): void {
    this.pathControllers[k] = this.supervisor.start({
      name: `kapi${k}-path-controller-${this.next(`path-controller${k}`)}`,
      netns: this.ns.seedClients[k],
      file: process.execPath,
      args: [SHOOT_CLIENT, 'path-controller'],
      env: pathControllerEnv(this.plan, k, mode),
    });
  }

  /** Complete lines only: the text after the last newline is still being written. */
  private pathControllerLines(k: number): string[] {
    return this.pathControllers[k]?.output().split('\n').slice(0, -1) ?? [];
  }

  private async iptablesFault(ns: Netns, rules: string[][], commands: string[]): Promise<Fault> {
    for (const cmd of commands) for (const [chain, ...args] of rules) await ns.execOk(cmd, ['-w', '-I', chain, ...args]);
    return {
      undo: async () => {
        for (const cmd of commands) for (const [chain, ...args] of rules) await ns.execOk(cmd, ['-w', '-D', chain, ...args]);
      },
    };
  }

  private async startStandIns(): Promise<void> {
    const routes = Object.fromEntries(range(HA_SERVERS).map((s): [string, Upstream] => [haServerClusterName(this.plan, s), { host: ipv4Of(this.plan.servers[s]), port: 1194 }]));
    const ingress: IngressConfig = { host: '::', listeners: [{ port: this.plan.ingressPort, headerKey: HEADER_KEY }], routes };
    await Promise.all([
      this.startProgram(this.ns.ingress, 'ingress-proxy', 'ingress-proxy', ingress),
      this.startProgram(this.ns.shootHosts, 'shoot-hosts', 'shoot-host', { port: SHOOT_HOST_PORT }),
      this.startFlowSink(),
    ]);
  }

  private async startFlowSink(): Promise<void> {
    const proc = this.supervisor.start({ name: 'flow-sink', netns: this.ns.shootHosts, file: process.execPath, args: [FLOWS_PROGRAM, JSON.stringify({ op: 'sink', port: FLOW_PORT })] });
    await proc.waitForLine(/listening/, 5_000);
  }

  private async node(ns: Netns, name: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
    await this.supervisor.run({ name: `${name}-${this.next(name)}`, netns: ns, file: process.execPath, args, env, cwd: this.files.dir });
  }

  /** 0, 1, 2, … per key: suffixes that keep process names unique across restarts. */
  private next(key: string): number {
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    return n;
  }
}

function readPids(ns: Netns): number[] {
  return (spawnSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
