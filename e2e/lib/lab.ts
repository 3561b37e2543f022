import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { addressPlan, hostPort, INGRESS_PORTS, type AddressPlan, type LabSpec, type ShootHost } from './address-plan';
import { writeSecrets, type Certificates, type SecretsVariant } from './certs';
import type { Upstream } from './connect-proxy';
import { LabCore, READY_LINE } from './lab-core';
import { ENVOY_GID, ENVOY_PORT, OPENVPN_PORT, SEED_SERVER, SHOOT_CLIENT, SHOOT_HOST_PORT } from './lab-programs';
import { firstSuccess, startPingSeries, type PingSeries } from './measurement';
import type { SupervisedProcess } from './process-supervisor';
import type { IngressConfig } from './programs/ingress-proxy';
import { Topology } from './topology';
import {
  httpProxyConfig,
  labFiles,
  seedServerArgs,
  seedServerEnv,
  serverClusterName,
  shootClientArgs,
  shootClientEnv,
  type ClientVia,
  type LabFiles,
} from './vpn-programs';

export interface LabOptions {
  spec: LabSpec;
  certs: Certificates;
  secrets: SecretsVariant;
}

/** One reachability check: who tried to reach which shoot address, how, and whether it answered. */
export interface Reach {
  from: string;
  via: 'ICMP' | 'TCP via envoy' | 'TCP direct';
  target: string;
  host: ShootHost;
  reached: boolean;
  detail: string;
}

/** When a vpn-shoot container started: the pod (its `setup` on the first start, else the root command) and its OpenVPN. */
export interface ClientStart {
  podAt: number;
  openvpnAt: number;
}

/** Time to the first answer through the tunnel, from the pod start and from the start of OpenVPN. */
export interface TunnelUp {
  fromPodMs: number;
  fromOpenvpnMs: number;
}

/** The ingress stand-in's log line for each CONNECT request head it received, base64 encoded. */
const HEAD_LINE = /^\S+ \[[^\]]+\] request head (\S+)$/;

/**
 * One non-HA tunnel lab, the one-server case of LabCore: the topology, the stand-ins (ingress, envoy, shoot
 * hosts) and this repository's programs run as the containers would, with every file under a private
 * temporary directory.
 */
export class TunnelLab extends LabCore<AddressPlan, LabFiles, Topology> {
  private serverOpenvpn: SupervisedProcess | undefined;
  private clientOpenvpn: SupervisedProcess | undefined;
  private ingress: SupervisedProcess | undefined;

  static async create(opts: LabOptions): Promise<TunnelLab> {
    const plan = addressPlan(opts.spec);
    return LabCore.build(
      {
        plan,
        title: 'lab',
        dirPrefix: 'vpn-e2e',
        netnsPrefix: 'e2e',
        files: labFiles,
        dirs: (files) => [path.dirname(files.serverConfig), path.dirname(files.statusFile), path.dirname(files.clientConfig)],
        writeSecrets: (dir) => writeSecrets(dir, opts.certs, opts.secrets),
        topology: (prefix) => Topology.build(plan, prefix),
      },
      (parts) => new TunnelLab(parts),
    );
  }

  /** The vpn-seed-server container: `setup` on the first start (init container), the root command, then OpenVPN. */
  async startServer(): Promise<void> {
    const container = {
      args: seedServerArgs(this.files),
      env: seedServerEnv(this.plan, this.files),
      config: this.files.serverConfig,
      setup: SEED_SERVER,
    };
    this.serverOpenvpn = (await this.startOpenvpnContainer('server', this.ns.server, container)).openvpn;
    await this.serverOpenvpn.waitForLine(READY_LINE, 10_000);
  }

  async stopServer(signal: NodeJS.Signals): Promise<void> {
    await this.serverOpenvpn?.stop(signal);
  }

  /**
   * The vpn-shoot container: `setup` on the first start, the root command, then OpenVPN (not waiting for
   * the tunnel). Returns the zero points of tunnel-up measurements. With `http-proxy` the rendered config
   * is turned back into the one OpenVPN used before the connect relay (the relay started by the root
   * command then idles), for comparisons in one lab.
   */
  async startClient(via: ClientVia = 'relay'): Promise<ClientStart> {
    const podAt = Date.now();
    const env = shootClientEnv(this.plan);
    const config = this.files.clientConfig;
    const afterRender =
      via === 'http-proxy'
        ? (): void => writeFileSync(config, httpProxyConfig(readFileSync(config, 'utf8'), env), { mode: 0o600 })
        : undefined;
    const { openvpn, startedAt } = await this.startOpenvpnContainer('client', this.ns.client, {
      args: shootClientArgs(this.files),
      env,
      config,
      setup: SHOOT_CLIENT,
      afterRender,
    });
    this.clientOpenvpn = openvpn;
    return { podAt, openvpnAt: startedAt };
  }

  async stopClient(signal: NodeJS.Signals): Promise<void> {
    await this.clientOpenvpn?.stop(signal);
  }

  /** Every CONNECT request head the ingress received, in order, exactly as received. */
  ingressRequestHeads(): Buffer[] {
    return (this.ingress?.output() ?? '').split('\n').flatMap((line) => {
      const m = HEAD_LINE.exec(line);
      return m?.[1] === undefined ? [] : [Buffer.from(m[1], 'base64')];
    });
  }

  /** The current OpenVPN processes, for log assertions. */
  get openvpn(): { server: SupervisedProcess | undefined; client: SupervisedProcess | undefined } {
    return { server: this.serverOpenvpn, client: this.clientOpenvpn };
  }

  async clientConnected(timeoutMs = 15_000): Promise<void> {
    if (!this.clientOpenvpn) throw new Error('the client has not been started');
    await this.clientOpenvpn.waitForLine(READY_LINE, timeoutMs);
  }

  /** The address the tunnel-up and outage measurements ping: the shoot pod host of the primary family. */
  get measuredHost(): ShootHost {
    return this.plan.shootHosts[0];
  }

  /** Waits until a fresh ICMP probe from the envoy group gets an answer through the tunnel. */
  async tunnelUp(start: ClientStart, timeoutMs = 20_000): Promise<TunnelUp> {
    const at = await this.firstIcmpAnswer(timeoutMs);
    return { fromPodMs: at - start.podAt, fromOpenvpnMs: at - start.openvpnAt };
  }

  /**
   * The time the first of a stream of fresh ICMP probes (one every 50 ms, each a new flow, so no NAT
   * state from before the tunnel is reused) gets an answer from the measured host.
   */
  async firstIcmpAnswer(timeoutMs: number): Promise<number> {
    const target = this.measuredHost.address.address;
    return firstSuccess(async () => (await this.icmp(target)).reached, { intervalMs: 50, timeoutMs, maxInFlight: 25 });
  }

  /** Every shoot host by ICMP from the server pod (group 31415), by TCP through envoy and directly from kube-apiserver. */
  async reachability(): Promise<Reach[]> {
    const checks = this.plan.shootHosts.flatMap((host) => [
      this.icmp(host.address.address).then((r) => ({ ...r, host })),
      this.viaEnvoy(host).then((r) => ({ ...r, host })),
      this.direct(host).then((r) => ({ ...r, host })),
    ]);
    return Promise.all(checks);
  }

  async icmp(address: string): Promise<Omit<Reach, 'host'>> {
    const r = await this.ns.server.exec('ping', ['-n', '-c', '1', '-W', '1', address], { gid: ENVOY_GID, timeoutMs: 5_000 });
    const rtt = /time=([\d.]+ ms)/.exec(r.stdout)?.[1];
    return {
      from: 'vpn-seed-server pod, gid 31415',
      via: 'ICMP',
      target: address,
      reached: r.code === 0,
      detail: rtt ?? lastLine(r.stdout + r.stderr),
    };
  }

  private async viaEnvoy(host: ShootHost): Promise<Omit<Reach, 'host'>> {
    const envoy = { host: this.plan.seedServer[0].address, port: ENVOY_PORT };
    const target = { host: host.address.address, port: SHOOT_HOST_PORT };
    const r = await this.probe(this.ns.kubeApiserver, { op: 'request', target, proxy: envoy, timeoutMs: 2_500 });
    return {
      from: 'kube-apiserver pod',
      via: 'TCP via envoy',
      target: hostPort(target.host, target.port),
      reached: r.ok,
      detail: r.ok ? `${r.ms} ms` : r.detail,
    };
  }

  private async direct(host: ShootHost): Promise<Omit<Reach, 'host'>> {
    const target = { host: host.address.address, port: SHOOT_HOST_PORT };
    const r = await this.probe(this.ns.kubeApiserver, { op: 'request', target, timeoutMs: 1_000 });
    return {
      from: 'kube-apiserver pod',
      via: 'TCP direct',
      target: hostPort(target.host, target.port),
      reached: r.ok,
      detail: r.ok ? `${r.ms} ms` : r.detail,
    };
  }

  /** A `ping -D -i 0.05` series from the envoy group to the measured host; `stop` returns its replies. */
  startPingSeries(name: string, maxSeconds = 60): PingSeries {
    return startPingSeries(this.supervisor, {
      name,
      netns: this.ns.server,
      target: this.measuredHost.address.address,
      intervalS: 0.05,
      count: maxSeconds * 20,
      gid: ENVOY_GID,
    });
  }

  /** Leaves everything running after this process exits; returns how to enter and remove it. */
  keep(): string[] {
    this.release();
    const names = Object.values(this.ns).map((ns) => ns.name);
    return [
      ...Object.entries(this.ns).map(([role, ns]) => `${role.padEnd(14)} ip netns exec ${ns.name} bash`),
      `logs and configs: ${this.files.dir}`,
      `tear down:        for ns in ${names.join(' ')}; do ip netns pids $ns | xargs -r kill -9; ip netns del $ns; done; rm -rf ${this.files.dir}`,
    ];
  }

  protected async startStandIns(): Promise<void> {
    const server: Upstream = { host: this.plan.seedServer[0].address, port: OPENVPN_PORT };
    const ingress: IngressConfig = {
      host: '::',
      listeners: Object.entries(INGRESS_PORTS).map(([headerKey, port]) => ({ port, headerKey })),
      routes: { [serverClusterName(this.plan)]: server },
    };
    [this.ingress] = await Promise.all([
      this.startProgram(this.ns.ingress, 'ingress-proxy', 'ingress-proxy', ingress),
      this.startProgram(this.ns.server, 'envoy-proxy', 'envoy-proxy', { host: '::', port: ENVOY_PORT }, ENVOY_GID),
      this.startProgram(this.ns.shootHosts, 'shoot-hosts', 'shoot-host', { port: SHOOT_HOST_PORT }),
    ]);
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
