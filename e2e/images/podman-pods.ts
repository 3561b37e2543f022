import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { run } from '@vpn/common';
import { cleanupOnExit } from '../lib/exit-cleanup';
import type { Netns } from '../lib/netns';
import { sleep } from '../lib/process-supervisor';
import { REPO_ROOT } from '../lib/lab-programs';
import { containerEnv, programOf, type Container, type Pod, type Probe } from './manifests';

/**
 * Runs the pods of the manifests as a kubelet with containerd would, but with podman: one network namespace
 * per pod shared by its containers, init containers first and to completion, then every container with the
 * manifest's image, command, args, environment (field references resolved), user, privileges and
 * capabilities (containerd's default set plus `add`, minus `drop`), secret and emptyDir volumes as bind
 * mounts, and /etc/hosts from the pod's host entries. Containers of other images (envoy) are left to the
 * caller's stand-ins.
 */
const CONTAINERD_DEFAULT_CAPS = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];
const HTTP_GET = path.join(__dirname, 'http-get.js');
const TCP_PROBE = path.join(__dirname, '..', 'lib', 'programs', 'probe.js');

/** Secret name -> key -> file content. */
export type SecretStore = Record<string, Record<string, string>>;

export interface Placement {
  pod: Pod;
  netns: Netns;
  podIp: string;
  hostIp: string;
  /** /etc/hosts entries: address -> names (the kubelet's hostAliases, cluster DNS names of the lab). */
  hosts: [string, string[]][];
}

export class PodmanPods {
  private readonly names: string[] = [];
  private readonly forget: () => void;

  constructor(
    private readonly dir: string,
    private readonly secrets: SecretStore,
    private readonly prefix: string,
  ) {
    this.forget = cleanupOnExit(() => this.removeAll());
  }

  /** Runs the init containers, then starts the others; resolves when all are started. */
  async start(p: Placement): Promise<RunningPod> {
    const podDir = path.join(this.dir, p.pod.name);
    await fs.mkdir(podDir, { recursive: true, mode: 0o700 });
    const hosts = path.join(podDir, 'hosts');
    await fs.writeFile(
      hosts,
      ['127.0.0.1 localhost', '::1 localhost', ...p.hosts.map(([ip, names]) => `${ip} ${names.join(' ')}`)].join('\n') + '\n',
    );
    const volumes = await this.volumes(p.pod, podDir);
    const base = [...(await podmanLimits()), '--network', `ns:/run/netns/${p.netns.name}`, '--no-hosts', '-v', `${hosts}:/etc/hosts:ro`];
    for (const c of p.pod.spec.initContainers ?? []) {
      const name = this.name(p.pod, c);
      const r = await run('podman', ['run', '--name', name, ...base, ...containerArgs(p, c, volumes)], { timeoutMs: 60_000 });
      if (r.code !== 0) throw new Error(`init container ${p.pod.name}/${c.name} exited ${r.code}:\n${r.stdout}${r.stderr}`);
    }
    const started: Container[] = [];
    for (const c of p.pod.spec.containers) {
      if (!programOf(c.image)) continue;
      const r = await run('podman', ['run', '-d', '--name', this.name(p.pod, c), ...base, ...containerArgs(p, c, volumes)]);
      if (r.code !== 0) throw new Error(`container ${p.pod.name}/${c.name}: podman run exited ${r.code}: ${r.stderr.trim()}`);
      started.push(c);
    }
    return new RunningPod(p, started, (c) => `${this.prefix}-${p.pod.name}-${c}`);
  }

  /** Every container's log, for a failed test. */
  async report(): Promise<string> {
    const logs = await Promise.all(
      this.names.map(async (n) => {
        const r = await run('podman', ['logs', n]);
        return `----- ${n} -----\n${tailLines(r.stdout + r.stderr, 40)}`;
      }),
    );
    return logs.join('\n');
  }

  destroy(): void {
    this.removeAll();
    this.forget();
  }

  private removeAll(): void {
    if (this.names.length > 0) spawnSync('podman', ['rm', '-f', '-t', '0', ...this.names], { stdio: 'ignore' });
  }

  private name(pod: Pod, c: Container): string {
    const name = `${this.prefix}-${pod.name}-${c.name}`;
    this.names.push(name);
    return name;
  }

  /** Volume name -> host directory: secrets and projected secrets written from the store, emptyDirs empty. */
  private async volumes(pod: Pod, podDir: string): Promise<Map<string, string>> {
    const dirs = new Map<string, string>();
    for (const v of pod.spec.volumes ?? []) {
      const dir = path.join(podDir, 'volumes', v.name);
      const sources = v.secret
        ? [{ name: v.secret.secretName, items: v.secret.items }]
        : (v.projected?.sources ?? []).flatMap((s) => (s.secret ? [s.secret] : []));
      if (!v.emptyDir && sources.length === 0) continue;
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      for (const source of sources) {
        const data = this.secrets[source.name];
        if (!data) throw new Error(`${pod.name}: volume ${v.name} needs secret ${source.name}, which the lab does not have`);
        const items = source.items ?? Object.keys(data).map((key) => ({ key, path: key }));
        for (const item of items) await fs.writeFile(path.join(dir, item.path), data[item.key] ?? '', { mode: 0o400 });
      }
      dirs.set(v.name, dir);
    }
    return dirs;
  }
}

export class RunningPod {
  constructor(
    readonly placement: Placement,
    readonly containers: Container[],
    private readonly containerName: (container: string) => string,
  ) {}

  get pod(): Pod {
    return this.placement.pod;
  }

  async logs(container: string): Promise<string> {
    const r = await run('podman', ['logs', this.containerName(container)]);
    return r.stdout + r.stderr;
  }

  async kill(container: string): Promise<void> {
    await run('podman', ['kill', '--signal', 'KILL', this.containerName(container)]);
  }

  /** One probe attempt as the kubelet makes it: exec inside the container, HTTP and TCP to the pod IP. */
  async probeOnce(container: Container, probe: Probe): Promise<boolean> {
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    const { netns, podIp } = this.placement;
    if (probe.exec)
      return (
        (await run('podman', ['exec', this.containerName(container.name), ...probe.exec.command], { timeoutMs: timeoutMs + 5_000 }))
          .code === 0
      );
    if (probe.httpGet)
      return (
        (await netns.exec(process.execPath, [HTTP_GET, podIp, String(probe.httpGet.port), probe.httpGet.path, String(timeoutMs)])).code ===
        0
      );
    if (probe.tcpSocket) {
      const op = { op: 'connect', target: { host: podIp, port: probe.tcpSocket.port }, timeoutMs };
      return (await netns.exec(process.execPath, [TCP_PROBE, JSON.stringify(op)])).code === 0;
    }
    throw new Error(`${this.pod.name}/${container.name}: unsupported probe`);
  }

  /**
   * The kubelet's loop for one probe: the first attempt after initialDelaySeconds, then every periodSeconds,
   * until successThreshold consecutive successes (resolves with the seconds since `since`) or failureThreshold
   * consecutive failures once `giveUpMs` has passed (rejects).
   */
  async probeUntilSuccess(
    container: Container,
    kind: 'readinessProbe' | 'livenessProbe',
    since: number,
    giveUpMs: number,
  ): Promise<number> {
    const probe = container[kind];
    if (!probe) throw new Error(`${this.pod.name}/${container.name} has no ${kind}`);
    const waitFor = since + (probe.initialDelaySeconds ?? 0) * 1000 - Date.now();
    if (waitFor > 0) await sleep(waitFor);
    let successes = 0;
    let failures = 0;
    for (;;) {
      if (await this.probeOnce(container, probe)) {
        failures = 0;
        if (++successes >= (probe.successThreshold ?? 1)) return (Date.now() - since) / 1000;
      } else {
        successes = 0;
        if (++failures >= (probe.failureThreshold ?? 3) && Date.now() - since > giveUpMs)
          throw new Error(`${this.pod.name}/${container.name}: ${kind} failed ${failures} times`);
      }
      await sleep((probe.periodSeconds ?? 10) * 1000);
    }
  }
}

function containerArgs(p: Placement, c: Container, volumes: Map<string, string>): string[] {
  const args: string[] = [];
  const sc = c.securityContext ?? {};
  if (sc.privileged) {
    args.push('--privileged');
  } else {
    const drop = new Set(sc.capabilities?.drop ?? []);
    const caps = drop.has('ALL') ? [] : CONTAINERD_DEFAULT_CAPS.filter((cap) => !drop.has(cap));
    args.push('--cap-drop', 'ALL', ...[...caps, ...(sc.capabilities?.add ?? [])].flatMap((cap) => ['--cap-add', cap]));
  }
  if (sc.runAsUser !== undefined || sc.runAsGroup !== undefined) args.push('--user', `${sc.runAsUser ?? 0}:${sc.runAsGroup ?? 0}`);
  for (const m of c.volumeMounts ?? []) {
    const volume = p.pod.spec.volumes?.find((v) => v.name === m.name);
    // A hostPath char device: the kubelet bind-mounts it and containerd's device rules admit /dev/net/tun.
    if (volume?.hostPath?.path === '/dev/net/tun') args.push('--device', '/dev/net/tun');
    else if (volumes.has(m.name)) args.push('-v', `${volumes.get(m.name)}:${m.mountPath}${volume?.emptyDir ? '' : ':ro'}`);
    else throw new Error(`${p.pod.name}/${c.name}: volume ${m.name} cannot be provided`);
  }
  for (const [k, v] of Object.entries(containerEnv(p.pod, c, { podIp: p.podIp, hostIp: p.hostIp }))) args.push('-e', `${k}=${v}`);
  if (c.command) args.push('--entrypoint', JSON.stringify(c.command));
  return [...args, c.image, ...(c.args ?? [])];
}

let limits: string[] | undefined;
/** podman's own rlimits exceed what a sandboxed shell may grant: ask for at most the shell's. */
async function podmanLimits(): Promise<string[]> {
  if (!limits) {
    const r = await run('bash', ['-c', 'ulimit -Hn; ulimit -Hu']);
    const [nofile, nproc] = r.stdout
      .trim()
      .split('\n')
      .map((v) => (v === 'unlimited' ? Infinity : Number(v)));
    const n = Math.min(16384, nofile);
    const u = Math.min(4096, nproc);
    limits = ['--runtime', 'runc', '--ulimit', `nofile=${n}:${n}`, '--ulimit', `nproc=${u}:${u}`];
  }
  return limits;
}

function tailLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/** Builds both images with `npm run images`' script; podman's layer cache makes an unchanged rebuild cheap. */
export async function buildImages(): Promise<string> {
  const r = await run('bash', [path.join(REPO_ROOT, 'scripts', 'build-images.sh')], { timeoutMs: 15 * 60_000 });
  if (r.code !== 0) throw new Error(`npm run images failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
