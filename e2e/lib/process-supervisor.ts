import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Netns } from './netns';

export interface ProcessSpec {
  /** Unique within the supervisor (a restarted program gets a new name); names the log file. */
  name: string;
  netns: Netns;
  file: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Group id of the process (the envoy stand-in and its probes run as group 31415). */
  gid?: number;
  cwd?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const POLL_MS = 20;

/**
 * A process running inside a namespace. Its stdout and stderr go to a log file rather than a pipe, so it
 * keeps running when the demo exits with `--keep`, and its log can be printed when a test fails.
 */
export class SupervisedProcess {
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      child.once('error', () => {
        this.exit = { code: 127, signal: null };
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  output(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Resolves with the first log line matching `pattern`; rejects on timeout or when the process exits first. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.output()
        .split('\n')
        .find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (!this.running) throw new Error(`${this.name} exited (${describe(this.exit)}) before logging ${pattern}:\n${tail(this.output())}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not log ${pattern} within ${timeoutMs} ms:\n${tail(this.output())}`);
      await sleep(POLL_MS);
    }
  }

  async waitForExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} still running after ${timeoutMs} ms:\n${tail(this.output())}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` and waits for the process to end (SIGKILL after 5 s). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lets this process outlive ours (the demo's `--keep`). */
  detach(): void {
    this.child.unref();
  }
}

/** Starts processes inside namespaces and keeps their logs for failure reports. */
export class ProcessSupervisor {
  private readonly processes: SupervisedProcess[] = [];

  constructor(private readonly logDir: string) {}

  start(spec: ProcessSpec): SupervisedProcess {
    if (this.processes.some((p) => p.name === spec.name)) throw new Error(`process name ${spec.name} is already taken`);
    const logFile = path.join(this.logDir, `${spec.name}.log`);
    const fd = openSync(logFile, 'a');
    try {
      const cmd = spec.netns.command(spec.file, spec.args);
      const child = spawn(cmd.file, cmd.args, {
        stdio: ['ignore', fd, fd],
        env: spec.env ?? process.env,
        cwd: spec.cwd,
        gid: spec.gid,
        detached: true,
      });
      const proc = new SupervisedProcess(spec.name, logFile, child);
      this.processes.push(proc);
      return proc;
    } finally {
      closeSync(fd);
    }
  }

  /** Runs a command to completion; a non-zero exit is an error carrying its log. */
  async run(spec: ProcessSpec, timeoutMs = 30_000): Promise<string> {
    const proc = this.start(spec);
    let exit: Exit;
    try {
      exit = await proc.waitForExit(timeoutMs);
    } catch (err) {
      await proc.stop('SIGKILL');
      throw err;
    }
    if (exit.code !== 0) throw new Error(`${spec.name} failed (${describe(exit)}):\n${tail(proc.output())}`);
    return proc.output();
  }

  async stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop(signal)));
  }

  detachAll(): void {
    this.processes.forEach((p) => p.detach());
  }

  /** The logs of every process started, newest last, each under a header (for a failed test). */
  report(maxLinesEach = 60): string {
    return this.processes.map((p) => `----- ${p.name} (${p.logFile}) -----\n${tail(p.output(), maxLinesEach)}`).join('\n');
  }
}

function describe(exit: Exit | undefined): string {
  if (!exit) return 'running';
  return exit.signal ? `signal ${exit.signal}` : `exit ${exit.code}`;
}

export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
