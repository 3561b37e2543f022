import { execFile, spawnSync } from 'node:child_process';
import { cleanupOnExit } from './exit-cleanup';
import { pidsIn } from './processes';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Group id to run as (the envoy group 31415 for probes that must look like envoy). */
  gid?: number;
}

/**
 * A network namespace owned by this process. Everything the suite does to the kernel happens inside
 * such namespaces, never in the caller's own; `destroy` kills what still runs inside and removes it.
 */
export class Netns {
  private readonly forgetCleanup: () => void;

  private constructor(readonly name: string) {
    this.forgetCleanup = cleanupOnExit(() => this.destroy());
  }

  static async create(name: string): Promise<Netns> {
    await must('ip', ['netns', 'add', name]);
    return new Netns(name);
  }

  /** `ip -n <ns> ...`; throws with stderr on failure. */
  async ip(...args: string[]): Promise<string> {
    return (await must('ip', ['-n', this.name, ...args])).stdout;
  }

  /** Runs `ip` commands (one per line, without the leading `ip`) in one process: `ip -n <ns> -batch -`. */
  async ipBatch(lines: readonly string[]): Promise<void> {
    await must('ip', ['-n', this.name, '-batch', '-'], lines.join('\n') + '\n');
  }

  /** Runs a program inside the namespace and returns its result without throwing on a non-zero exit. */
  exec(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return run('ip', ['netns', 'exec', this.name, file, ...args], opts);
  }

  /** Like `exec`, but a non-zero exit is an error carrying the program's output. */
  async execOk(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<string> {
    const r = await this.exec(file, args, opts);
    if (r.code !== 0) throw new Error(`[${this.name}] ${file} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  async sysctl(settings: Record<string, string | number>): Promise<void> {
    await this.execOk('sysctl', ['-qw', ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)]);
  }

  /** The argument vector that runs `file args` inside this namespace (for spawning long-running processes). */
  command(file: string, args: readonly string[]): { file: string; args: string[] } {
    return { file: 'ip', args: ['netns', 'exec', this.name, file, ...args] };
  }

  /** Kills every process left inside (all were started by this suite) and deletes the namespace. */
  destroy(): void {
    for (const pid of pidsIn(this.name)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', this.name]);
    this.forgetCleanup();
  }

  /** Forgets the namespace without deleting it (the demo's `--keep`). */
  release(): void {
    this.forgetCleanup();
  }
}

function run(file: string, args: readonly string[], opts: ExecOptions = {}, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      { timeout: opts.timeoutMs ?? 30_000, gid: opts.gid, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = (err as { code?: unknown } | null)?.code;
        if (typeof code === 'string') return reject(new Error(`${file}: ${err?.message}`));
        resolve({ code: err ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.on('error', () => undefined); // a program that exits early fails on its own
    child.stdin?.end(stdin ?? '');
  });
}

async function must(file: string, args: string[], stdin?: string): Promise<ExecResult> {
  const r = await run(file, args, {}, stdin);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return r;
}
