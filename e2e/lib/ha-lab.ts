import * as path from 'node:path';
import { hostPort } from './address-plan';
import { DEFAULT_PATH_METRICS_PORT } from '@vpn/common';
import { READINESS_PORT } from '@vpn/vpn-shoot-client/dist/src/ha/timing';
import type { Upstream } from './connect-proxy';
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
import { HaTopology } from './ha-topology';
import { allPaths, readControllerLog, returnRoutes, routesInSync, type ControllerView } from './ha-verdicts';
import { LabCore, READY_LINE } from './lab-core';
import { ENVOY_GID, ENVOY_PORT, OPENVPN_PORT, SEED_SERVER, SHOOT_CLIENT, SHOOT_HOST_PORT } from './lab-programs';
import { startFlowSink, startPingSeries, type PingSeries } from './measurement';
import { sleep, type SupervisedProcess } from './process-supervisor';
import type { IngressConfig } from './programs/ingress-proxy';

export interface HaLabOptions {
  spec: HaLabSpec;
  certs: HaCertificates;
}

/** One check of shootHostChecks(): from kube-apiserver pod k. */
export interface ShootHostCheck {
  k: number;
  what: string;
  ok: boolean;
  detail: string;
}

/**
 * One HA lab (docs/ha.md) on LabCore: the topology, the stand-ins (ingress, shoot hosts, flow sink) and this
 * repository's programs run as Gardener's containers would, every file under a private temporary directory.
 * Two servers; kube-apiserver pod k runs `setup`, two OpenVPN clients (tap0, tap1) and a path controller;
 * vpn-shoot-k runs `setup`, two OpenVPN clients through the ingress and a tunnel controller.
 */
export class HaLab extends LabCore<HaPlan, HaFiles, HaTopology> {
  private readonly serverOpenvpn: (SupervisedProcess | undefined)[] = [];
  private readonly pathControllers: (SupervisedProcess | undefined)[] = [];
  private readonly seedOpenvpn: SupervisedProcess[] = [];
  /** Per vpn-shoot pod k: its OpenVPN clients (one per server) and its tunnel controller, of its current start. */
  private readonly shootOpenvpn: SupervisedProcess[][] = [];
  private readonly tunnelControllers: SupervisedProcess[] = [];

  static async create(opts: HaLabOptions): Promise<HaLab> {
    const plan = haPlan(opts.spec);
    return LabCore.build(
      {
        plan,
        title: 'HA lab',
        dirPrefix: 'vpn-e2e-ha',
        netnsPrefix: 'e2eha',
        files: haFiles,
        dirs: (files) => [
          ...range(HA_SERVERS).flatMap((s) => [path.dirname(files.serverConfig(s)), path.dirname(files.serverStatus(s))]),
          ...range(opts.spec.seedClients).map((k) => path.dirname(files.seedClientConfig(k, 0))),
          ...range(opts.spec.shootClients).map((k) => path.dirname(files.shootClientConfig(k, 0))),
        ],
        writeSecrets: (dir) => writeHaSecrets(dir, opts.certs),
        topology: (prefix) => HaTopology.build(plan, prefix),
      },
      (parts) => new HaLab(parts),
    );
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
    await Promise.all([...this.seedOpenvpn, ...this.shootOpenvpn.flat()].map((p) => p.waitForLine(READY_LINE, 30_000)));
    await this.waitAllHealthy(30_000);
  }

  /** The vpn-seed-server-s container: `setup` on its first start (init container), the root command, then OpenVPN. */
  async startServer(s: number): Promise<void> {
    const container = {
      args: serverArgs(this.files, s),
      env: serverEnv(this.plan, this.files, s),
      config: this.files.serverConfig(s),
      setup: SEED_SERVER,
    };
    const { openvpn } = await this.startOpenvpnContainer(`server${s}`, this.ns.servers[s], container);
    this.serverOpenvpn[s] = openvpn;
    await openvpn.waitForLine(READY_LINE, 10_000);
  }

  async stopServer(s: number, signal: NodeJS.Signals): Promise<void> {
    await this.serverOpenvpn[s]?.stop(signal);
  }

  /** kube-apiserver pod k: `vpn-client-init`, then `vpn-client-0/1` (root command + OpenVPN) and the path controller. */
  async startSeedClient(k: number): Promise<void> {
    const ns = this.ns.seedClients[k];
    await this.runNode(ns, `kapi${k}-setup`, [SHOOT_CLIENT, 'setup'], seedClientSetupEnv(this.plan, k));
    await Promise.all(
      range(HA_SERVERS).map(async (s) => {
        const config = this.files.seedClientConfig(k, s);
        const { openvpn } = await this.startOpenvpnContainer(`kapi${k}-client${s}`, ns, {
          args: clientArgs(this.files, config),
          env: seedClientEnv(this.plan, s),
          config,
        });
        this.seedOpenvpn.push(openvpn);
      }),
    );
    this.startPathController(k, 'active-backup');
  }

  /** vpn-shoot-k: `vpn-shoot-init`, then `vpn-shoot-s0/s1` (root command + OpenVPN through the ingress) and the tunnel controller. */
  async startShootClient(k: number): Promise<void> {
    const ns = this.ns.shootClients[k];
    await this.runNode(ns, `shoot${k}-setup`, [SHOOT_CLIENT, 'setup'], shootClientSetupEnv(this.plan, k));
    this.shootOpenvpn[k] = await Promise.all(
      range(HA_SERVERS).map(async (s) => {
        const config = this.files.shootClientConfig(k, s);
        return (
          await this.startOpenvpnContainer(`shoot${k}-client${s}`, ns, {
            args: clientArgs(this.files, config),
            env: shootClientEnv(this.plan, k, s),
            config,
          })
        ).openvpn;
      }),
    );
    const controller = this.supervisor.start({
      name: this.uniqueName(`shoot${k}-tunnel-controller`),
      netns: ns,
      file: process.execPath,
      args: [SHOOT_CLIENT, 'tunnel-controller'],
      env: tunnelControllerEnv(this.plan),
    });
    this.tunnelControllers[k] = controller;
    await controller.waitForLine(/tunnel controller listening/, 10_000);
  }

  /**
   * Deletes vpn-shoot-k as the kubelet does: SIGTERM to the tunnel controller at once, and to each OpenVPN
   * client after its `preStop` (deploy/ha/shoot: sleep 2); resolves when all have exited. Its taps stay (the
   * lab's pod namespace outlives the pod), as a new pod's `setup` would create them again.
   */
  async deleteShootClient(k: number, preStopMs = 2_000): Promise<void> {
    await Promise.all([
      this.tunnelControllers[k]?.stop('SIGTERM'),
      sleep(preStopMs).then(() => Promise.all((this.shootOpenvpn[k] ?? []).map((p) => p.stop('SIGTERM')))),
    ]);
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
    const [ns, port] =
      controller === 'path' ? [this.ns.seedClients[k], DEFAULT_PATH_METRICS_PORT] : [this.ns.shootClients[k], READINESS_PORT];
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
      () =>
        `every path healthy with routes (${views()
          .map(
            (v, k) =>
              `kapi${k}: healthy ${[...v.healthy].join(',') || 'none'}, active ${v.active.join(',') || 'none'}, installed ${[...v.installed].join(',') || 'none'}`,
          )
          .join('; ')})`,
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
    return startPingSeries(this.supervisor, {
      name: this.uniqueName(`kapi${k}-ping`),
      netns: this.ns.seedClients[k],
      target,
      intervalS: 0.02,
      count: 300 * 50,
    });
  }

  /** From every kube-apiserver pod to every shoot host: a TCP request to the shoot host service and one ping. */
  async shootHostChecks(): Promise<ShootHostCheck[]> {
    return Promise.all(
      range(this.plan.spec.seedClients).flatMap((k) =>
        this.plan.shootHosts.flatMap((host) => {
          const address = host.address.address;
          const from = this.ns.seedClients[k];
          return [
            this.probe(from, { op: 'request', target: { host: address, port: SHOOT_HOST_PORT }, timeoutMs: 3_000 }).then((r) => ({
              k,
              what: `TCP ${hostPort(address, SHOOT_HOST_PORT)}`,
              ok: r.ok,
              detail: r.detail,
            })),
            from
              .exec('ping', ['-n', '-c', '1', '-W', '2', address], { timeoutMs: 5_000 })
              .then((r) => ({ k, what: `ICMP ${address}`, ok: r.code === 0, detail: r.stdout.trim().split('\n').pop() ?? '' })),
          ];
        }),
      ),
    );
  }

  /** Starts the envoy stand-in of kube-apiserver pod k (group 31415), which the pod has only when seed and shoot overlap. */
  async startEnvoy(k: number): Promise<Upstream> {
    await this.startProgram(this.ns.seedClients[k], `kapi${k}-envoy`, 'envoy-proxy', { host: '::', port: ENVOY_PORT }, ENVOY_GID);
    return { host: '127.0.0.1', port: ENVOY_PORT };
  }

  private startPathController(k: number, mode: BondingMode): void {
    this.pathControllers[k] = this.supervisor.start({
      name: this.uniqueName(`kapi${k}-path-controller`),
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

  protected async startStandIns(): Promise<void> {
    const routes = Object.fromEntries(
      range(HA_SERVERS).map((s): [string, Upstream] => [
        haServerClusterName(this.plan, s),
        { host: ipv4Of(this.plan.servers[s]), port: OPENVPN_PORT },
      ]),
    );
    const ingress: IngressConfig = { host: '::', listeners: [{ port: this.plan.ingressPort, headerKey: HEADER_KEY }], routes };
    await Promise.all([
      this.startProgram(this.ns.ingress, 'ingress-proxy', 'ingress-proxy', ingress),
      this.startProgram(this.ns.shootHosts, 'shoot-hosts', 'shoot-host', { port: SHOOT_HOST_PORT }),
      startFlowSink(this.supervisor, this.ns.shootHosts),
    ]);
  }
}
