import type { Logger } from '../log';
import { run, type ExecResult } from '../system/exec';
import { IP_VERSIONS, type IpVersion } from '../net/family';

/**
 * Runs a program, with `input` on its standard input if given, and reports its exit code and output;
 * `run` in production, a fake or a netns wrapper in tests.
 */
export type CommandRunner = (file: string, args: readonly string[], input?: string) => Promise<ExecResult>;

const runCommand: CommandRunner = (file, args, input) => run(file, args, { input });

export type BackendName = 'legacy' | 'nft';

/** The reference prefers legacy whenever it works; the check does not ask which backend the host uses. */
const BACKEND_PREFERENCE: readonly BackendName[] = ['legacy', 'nft'];

/** The images carry the binaries here (alpine layout), as in gardener/vpn2 pkg/network/iptables.go. */
export const DEFAULT_SBIN_DIR = '/usr/sbin';

export class IptablesCommandError extends Error {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
    /** For a restore, the input line it rejected, when its diagnostics name one. */
    readonly failedLine?: string,
  ) {
    super(
      `${[command, ...args].join(' ')}: exit ${exitCode}: ${diagnostics(stderr)}${failedLine === undefined ? '' : ` (at: ${failedLine})`}`,
    );
    this.name = 'IptablesCommandError';
  }
}

/** iptables-nft prefixes its errors with warnings about legacy tables; those say nothing about the failure. */
function diagnostics(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('# Warning'))
    .join(' ');
}

/** One family of the chosen backend: `iptables-<backend>` or `ip6tables-<backend>` and its `-save`/`-restore`. */
export interface IptablesHandle {
  readonly family: IpVersion;
  /** The binary's path; `-save` and `-restore` are named after it. */
  readonly command: string;
  /** Every table the kernel has for this family, in iptables-save syntax without counters. */
  save(): Promise<string>;
  /**
   * Feeds `input` (`*table`, rule lines, `COMMIT`) to `-restore --noflush`. Each table is committed as one
   * transaction: a non-zero exit (IptablesCommandError) leaves the table that failed as it was.
   */
  restore(input: string): Promise<void>;
}

export interface IptablesBackend {
  readonly name: BackendName;
  handle(family: IpVersion): IptablesHandle;
}

export function commandPath(backend: BackendName, family: IpVersion, sbinDir = DEFAULT_SBIN_DIR): string {
  return `${sbinDir}/${family === 4 ? 'iptables' : 'ip6tables'}-${backend}`;
}

/** A backend without probing it, for callers (and kernel tests) that name the backend themselves. */
export function iptablesBackend(name: BackendName, runner: CommandRunner = runCommand, sbinDir = DEFAULT_SBIN_DIR): IptablesBackend {
  const handles = new Map<IpVersion, IptablesHandle>(
    IP_VERSIONS.map((family) => [family, createHandle(name, family, commandPath(name, family, sbinDir), runner)]),
  );
  return {
    name,
    handle: (family) => handles.get(family)!,
  };
}

function createHandle(backend: BackendName, family: IpVersion, command: string, runner: CommandRunner): IptablesHandle {
  // Only legacy has the xtables lock; nf_tables serialises transactions in the kernel.
  const restoreArgs = backend === 'legacy' ? ['--wait', '--noflush'] : ['--noflush'];
  return {
    family,
    command,
    async save() {
      const result = await runner(`${command}-save`, []);
      if (result.code !== 0) throw new IptablesCommandError(`${command}-save`, [], result.code, result.stderr);
      return result.stdout;
    },
    async restore(input) {
      const result = await runner(`${command}-restore`, restoreArgs, input);
      if (result.code !== 0) {
        throw new IptablesCommandError(`${command}-restore`, restoreArgs, result.code, result.stderr, failedLine(result.stderr, input));
      }
    },
  };
}

/** Both backends name the input line they rejected: `line 9 failed`, `Error occurred at line: 9`, `line 9: ...`. */
function failedLine(stderr: string, input: string): string | undefined {
  const number = /\bline:? (\d+)/.exec(stderr)?.[1];
  return number === undefined ? undefined : input.split('\n')[Number(number) - 1];
}

export interface DetectOptions {
  log: Logger;
  runner?: CommandRunner;
  sbinDir?: string;
}

/**
 * As gardener/vpn2 pkg/network/iptables.go: the first backend, legacy before nft, whose iptables and ip6tables both list the filter
 * table successfully. `-n` keeps listing free of reverse DNS lookups; the exit status is the same.
 *
 * Every caller reads the rules next, so each candidate's `-save` runs alongside its check, and the chosen
 * backend's first save() returns that read: one round of four processes instead of two rounds of two, most
 * of a root command's time after Node's own start (bench/startup.ts). The read may miss a filter table that
 * the check itself created, which is the same as an empty one.
 */
export async function detectBackend(opts: DetectOptions): Promise<IptablesBackend> {
  const runner = opts.runner ?? runCommand;
  for (const name of BACKEND_PREFERENCE) {
    const backend = iptablesBackend(name, runner, opts.sbinDir);
    const reads = new Map(IP_VERSIONS.map((family) => [family, settled(backend.handle(family).save())]));
    const usable = await Promise.all(IP_VERSIONS.map((family) => listsFilterTable(runner, commandPath(name, family, opts.sbinDir))));
    if (usable.every(Boolean)) {
      opts.log.info(`using iptables backend ${name}`);
      return withFirstReads(backend, reads);
    }
    await Promise.all(reads.values());
  }
  throw new Error('could not find iptables backend');
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so that a read nobody asks for raises no unhandled rejection. */
function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** `backend` whose first save() of each family is `reads`' result, as if it had been called then. */
function withFirstReads(backend: IptablesBackend, reads: Map<IpVersion, Promise<Settled<string>>>): IptablesBackend {
  const handles = new Map<IpVersion, IptablesHandle>(
    IP_VERSIONS.map((family) => {
      const handle = backend.handle(family);
      return [
        family,
        {
          family,
          command: handle.command,
          restore: (input) => handle.restore(input),
          save: async () => {
            const first = reads.get(family);
            if (first === undefined) return handle.save();
            reads.delete(family);
            const result = await first;
            if (!result.ok) throw result.error;
            return result.value;
          },
        },
      ];
    }),
  );
  return { name: backend.name, handle: (family) => handles.get(family)! };
}

async function listsFilterTable(runner: CommandRunner, command: string): Promise<boolean> {
  try {
    return (await runner(command, ['--wait', '-n', '-L'])).code === 0;
  } catch {
    return false;
  }
}
