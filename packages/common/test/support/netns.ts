import { execFileSync, spawnSync } from 'node:child_process';

/**
 * A private network namespace for a kernel test. Names carry the test process id so parallel runs and
 * leftovers of crashed runs never collide; `destroy` is safe to call twice.
 */
export class TestNetns {
  private static seq = 0;
  readonly name: string;

  private constructor(prefix: string) {
    this.name = `t${prefix}-${process.pid}-${TestNetns.seq++}`.slice(0, 30);
  }

  static create(prefix: string): TestNetns {
    const ns = new TestNetns(prefix);
    execFileSync('ip', ['netns', 'add', ns.name]);
    ns.sh('ip link set lo up');
    return ns;
  }

  /** Runs a shell command inside the namespace and returns stdout; throws with stderr on failure. */
  sh(command: string): string {
    const r = spawnSync('ip', ['netns', 'exec', this.name, 'sh', '-c', command], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`[${this.name}] ${command}: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  /** Runs a program inside the namespace; returns status and output without throwing. */
  exec(file: string, args: string[], env?: NodeJS.ProcessEnv): { status: number; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.name, file, ...args], { encoding: 'utf8', env: env ?? process.env });
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  destroy(): void {
    spawnSync('ip', ['netns', 'pids', this.name], { encoding: 'utf8' })
      .stdout?.split('\n')
      .filter(Boolean)
      .forEach((pid) => spawnSync('kill', ['-9', pid]));
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}
