import { promises as fs, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostPort } from './address-plan';
import type { Upstream } from './connect-proxy';
import { cleanupOnExit } from './exit-cleanup';
import { writeHaSecrets, type HaCertificates } from './ha-certs';
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
import { startFlowSink, startPingSeries, type PingSeries } from './measurement';
import type { Netns } from './netns';
import { ProcessSupervisor, sleep, type SupervisedProcess } from './process-supervisor';
import type { IngressConfig } from './programs/ingress-proxy';
import type { ProbeOp, ProbeResult } from './programs/probe';
import { ENVOY_GID, ENVOY_PORT, SEED_SERVER, SHOOT_CLIENT, SHOOT_HOST_PORT } from './vpn-programs';

export interface HaLabOptions {
  spec: HaLabSpec;
  certs: HaCertificates;
}

const PROGRAMS = path.join(__dirname, 'programs');
const READY_LINE = /Initialization Sequence Completed/;
let labCount = 0;

/** One check of shootHostChecks(): from kube-apiserver pod k. */
export interface ShootHostCheck {
  k: number;
  what: string;
  ok: boolean;
  detail: string;
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

  /** What shootHostChecks() found before startAll() started any program of this repository. */
  reachedBeforeTunnels: ShootHostCheck[] | undefined;

  /**
   * First the shoot hosts from every kube-apiserver pod (reachedBeforeTunnels: with the stand-ins only,
   * a lab that routes the seed to the shoot by itself would make every reachability check pass); then
   * servers, then kube-apiserver pods and vpn-shoot pods in parallel. Resolves when every OpenVPN client is
   * connected and every path controller reports every path healthy.
   */
  async startAll(): Promise<void> {
    this.reachedBeforeTunnels = (await this.shootHostChecks()).filter((c) => c.ok);
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
  startPing(k: number, target: string): PingSeries {
    return startPingSeries(this.supervisor, { name: `kapi${k}-ping-${this.next(`ping${k}`)}`, netns: this.ns.seedClients[k], target, intervalS: 0.02, count: 300 * 50 });
  }

  /** From every kube-apiserver pod to every shoot host: a TCP request to the shoot host service and one ping. */
  async shootHostChecks(): Promise<ShootHostCheck[]> {
    return Promise.all(
      range(this.plan.spec.seedClients).flatMap((k) =>
        this.plan.shootHosts.flatMap((host) => {
          const address = host.address.address;
          const from = this.ns.seedClients[k];
          return [
            this.probe(from, { op: 'request', target: { host: address, port: SHOOT_HOST_PORT }, timeoutMs: 3_000 }).then((r) => ({ k, what: `TCP ${hostPort(address, SHOOT_HOST_PORT)}`, ok: r.ok, detail: r.detail })),
            from.exec('ping', ['-n', '-c', '1', '-W', '2', address], { timeoutMs: 5_000 }).then((r) => ({ k, what: `ICMP ${address}`, ok: r.code === 0, detail: r.stdout.trim().split('\n').pop() ?? '' })),
          ];
        }),
      ),
    );
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

  private async startStandIns(): Promise<void> {
    const routes = Object.fromEntries(range(HA_SERVERS).map((s): [string, Upstream] => [haServerClusterName(this.plan, s), { host: ipv4Of(this.plan.servers[s]), port: 1194 }]));
    const ingress: IngressConfig = { host: '::', listeners: [{ port: this.plan.ingressPort, headerKey: HEADER_KEY }], routes };
    await Promise.all([
      this.startProgram(this.ns.ingress, 'ingress-proxy', 'ingress-proxy', ingress),
      this.startProgram(this.ns.shootHosts, 'shoot-hosts', 'shoot-host', { port: SHOOT_HOST_PORT }),
      startFlowSink(this.supervisor, this.ns.shootHosts),
    ]);
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
