import { promises as fs, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanupOnExit } from './exit-cleanup';
import type { LabTopology, NodePlan, Nodes } from './lab-topology';
import type { Netns } from './netns';
import { ProcessSupervisor, type SupervisedProcess } from './process-supervisor';
import type { ProbeOp, ProbeResult } from './programs/probe';

/** What every lab keeps on disk: its private directory, the secrets under it and the process logs. */
export interface LabDirs {
  dir: string;
  secretsDir: string;
  logDir: string;
}

/** OpenVPN logs this when the server listens and when a client's tunnel is up. */
export const READY_LINE = /Initialization Sequence Completed/;

/** How to build one kind of lab. */
export interface LabRecipe<Plan, Files extends LabDirs, Topology> {
  plan: Plan;
  /** Names of the lab in reports ('lab', 'HA lab'), of its temporary directory and of its namespaces. */
  title: string;
  dirPrefix: string;
  netnsPrefix: string;
  files(dir: string): Files;
  /** The directories the lab's programs write into. */
  dirs(files: Files): string[];
  writeSecrets(secretsDir: string): Promise<void>;
  topology(netnsPrefix: string): Promise<Topology>;
}

/** What LabCore.build hands a lab's constructor. */
export interface LabParts<Plan, Files, Topology> {
  plan: Plan;
  files: Files;
  topology: Topology;
  title: string;
  forgetDir: () => void;
}

type AnyTopology = LabTopology<NodePlan, Nodes>;

const PROGRAMS = path.join(__dirname, 'programs');
let labCount = 0;

/** Runs one probe of `programs/probe` inside `ns`; a crashed probe is a failed one, saying why. */
export async function runProbe(ns: Netns, op: ProbeOp): Promise<ProbeResult> {
  const r = await ns.exec(process.execPath, [path.join(PROGRAMS, 'probe.js'), JSON.stringify(op)], { timeoutMs: 30_000 });
  try {
    return JSON.parse(r.stdout) as ProbeResult;
  } catch {
    return { ok: false, detail: `probe crashed: ${(r.stderr || r.stdout).trim()}`, ms: 0 };
  }
}

/** Starts a program of `programs/` inside `ns` under `supervisor` and waits until it says it listens. */
export async function startLabProgram(
  supervisor: ProcessSupervisor,
  ns: Netns,
  name: string,
  program: string,
  config: object,
  gid?: number,
): Promise<SupervisedProcess> {
  const proc = supervisor.start({
    name,
    netns: ns,
    file: process.execPath,
    args: [path.join(PROGRAMS, `${program}.js`), JSON.stringify(config)],
    gid,
  });
  await proc.waitForLine(/listening/, 5_000);
  return proc;
}

/**
 * What every lab is made of and how it lives: a private temporary directory holding secrets, configs and
 * logs; the topology's namespaces; the stand-ins and this repository's programs, run under one supervisor as
 * the containers would; and cleanup on exit, on failure and on destroy. A kind of lab (the non-HA TunnelLab,
 * the HaLab) names its files and namespaces, starts its stand-ins and its containers.
 */
export abstract class LabCore<Plan extends { spec: { name: string } }, Files extends LabDirs, Topology extends AnyTopology> {
  readonly plan: Plan;
  readonly files: Files;
  readonly topology: Topology;
  readonly supervisor: ProcessSupervisor;
  private readonly title: string;
  private readonly forgetDir: () => void;
  private readonly counters = new Map<string, number>();

  protected constructor(parts: LabParts<Plan, Files, Topology>) {
    this.plan = parts.plan;
    this.files = parts.files;
    this.topology = parts.topology;
    this.title = parts.title;
    this.forgetDir = parts.forgetDir;
    this.supervisor = new ProcessSupervisor(parts.files.logDir);
  }

  /**
   * Creates the directory, the secrets and the namespaces, constructs the lab and starts its stand-ins; on any
   * failure removes again what was created so far.
   */
  protected static async build<
    Plan extends { spec: { name: string } },
    Files extends LabDirs,
    Topology extends AnyTopology,
    Lab extends LabCore<Plan, Files, Topology>,
  >(recipe: LabRecipe<Plan, Files, Topology>, construct: (parts: LabParts<Plan, Files, Topology>) => Lab): Promise<Lab> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `${recipe.dirPrefix}-${recipe.plan.spec.name}-`));
    const forgetDir = cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));
    const files = recipe.files(dir);
    try {
      for (const d of [files.logDir, ...recipe.dirs(files)]) await fs.mkdir(d, { recursive: true, mode: 0o700 });
      await recipe.writeSecrets(files.secretsDir);
      const topology = await recipe.topology(`${recipe.netnsPrefix}-${process.pid}-${labCount++}`);
      const lab = construct({ plan: recipe.plan, files, topology, title: recipe.title, forgetDir });
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

  get ns(): Topology['ns'] {
    return this.topology.ns;
  }

  /** Runs one probe of `programs/probe` inside `ns`. */
  probe(ns: Netns, op: ProbeOp): Promise<ProbeResult> {
    return runProbe(ns, op);
  }

  /** Starts a supervised program of `programs/` inside `ns` and waits until it says it listens. */
  startProgram(ns: Netns, name: string, program: string, config: object, gid?: number): Promise<SupervisedProcess> {
    return startLabProgram(this.supervisor, ns, name, program, config, gid);
  }

  /** `key-0`, `key-1`, …: process names that stay unique across restarts. */
  uniqueName(key: string): string {
    return `${key}-${this.next(key)}`;
  }

  /** The logs of every process of this lab, for a failed test. */
  report(): string {
    return `${this.title} ${this.plan.spec.name} (${this.files.dir})\n${this.supervisor.report()}\n`;
  }

  async destroy(): Promise<void> {
    this.topology.destroy();
    await this.supervisor.stopAll('SIGKILL');
    await fs.rm(this.files.dir, { recursive: true, force: true });
    this.forgetDir();
  }

  protected abstract startStandIns(): Promise<void>;

  /**
   * One container that runs OpenVPN: on its first start `setup` of the program `setup` names (the pod's init
   * container, when it belongs to this container), then the root command, then OpenVPN with the config the
   * root command wrote (after `afterRender`, which may change it). Does not wait for OpenVPN; `startedAt` is
   * when it was started.
   */
  protected async startOpenvpnContainer(
    name: string,
    ns: Netns,
    container: { args: string[]; env: NodeJS.ProcessEnv; config: string; setup?: string; afterRender?: () => void },
  ): Promise<{ openvpn: SupervisedProcess; startedAt: number }> {
    const n = this.next(name);
    if (n === 0 && container.setup) await this.runNode(ns, `${name}-setup`, [container.setup, 'setup'], container.env);
    await this.runNode(ns, `${name}-config`, container.args, container.env);
    container.afterRender?.();
    const startedAt = Date.now();
    const openvpn = this.supervisor.start({
      name: `${name}-openvpn-${n}`,
      netns: ns,
      file: 'openvpn',
      args: ['--config', container.config],
      cwd: this.files.dir,
    });
    return { openvpn, startedAt };
  }

  /** Runs a program of this repository (`args[0]`) to completion inside `ns`, in the lab's directory. */
  protected async runNode(ns: Netns, name: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
    await this.supervisor.run({ name: this.uniqueName(name), netns: ns, file: process.execPath, args, env, cwd: this.files.dir });
  }

  /** Leaves every process and namespace in place after this process exits (the demo's `--keep`). */
  protected release(): void {
    this.supervisor.detachAll();
    this.topology.release();
    this.forgetDir();
  }

  /** 0, 1, 2, … per key. */
  private next(key: string): number {
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    return n;
  }
}
