import type { Logger } from '../log';
import { run, type ExecResult } from '../system/exec';
import { RULE_FAMILIES, type RuleFamily } from './rule';

/** Runs a program and reports its exit code and output; `run` in production, a fake or a netns wrapper in tests. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<ExecResult>;

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
  ) {
    super(`${[command, ...args].join(' ')}: exit ${exitCode}: ${diagnostics(stderr)}`);
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

/** One binary of the chosen backend: `iptables-<backend>` or `ip6tables-<backend>`. */
export interface IptablesHandle {
  readonly family: RuleFamily;
  readonly command: string;
  /** Runs the binary (waiting for the xtables lock) and returns stdout; a non-zero exit throws IptablesCommandError. */
  run(args: readonly string[]): Promise<string>;
}

export interface IptablesBackend {
  readonly name: BackendName;
  handle(family: RuleFamily): IptablesHandle;
}

export function commandPath(backend: BackendName, family: RuleFamily, sbinDir = DEFAULT_SBIN_DIR): string {
  return `${sbinDir}/${family === 4 ? 'iptables' : 'ip6tables'}-${backend}`;
}

/** A backend without probing it, for callers (and kernel tests) that name the backend themselves. */
export function iptablesBackend(name: BackendName, runner: CommandRunner = run, sbinDir = DEFAULT_SBIN_DIR): IptablesBackend {
  const handles = new Map<RuleFamily, IptablesHandle>(
    RULE_FAMILIES.map((family) => [family, createHandle(family, commandPath(name, family, sbinDir), runner)]),
  );
  return {
    name,
    handle: (family) => handles.get(family)!,
  };
}

function createHandle(family: RuleFamily, command: string, runner: CommandRunner): IptablesHandle {
  return {
    family,
    command,
    async run(args) {
      const full = ['--wait', ...args];
      const result = await runner(command, full);
      if (result.code !== 0) throw new IptablesCommandError(command, full, result.code, result.stderr);
      return result.stdout;
    },
  };
}

export interface DetectOptions {
  log: Logger;
  runner?: CommandRunner;
  sbinDir?: string;
}

/**
 * As gardener/vpn2 pkg/network/iptables.go: the first backend, legacy before nft, whose iptables and ip6tables both list the filter
 * table successfully. `-n` keeps listing free of reverse DNS lookups; the exit status is the same.
 */
export async function detectBackend(opts: DetectOptions): Promise<IptablesBackend> {
  const runner = opts.runner ?? run;
  for (const name of BACKEND_PREFERENCE) {
    const usable = await Promise.all(
      RULE_FAMILIES.map((family) => listsFilterTable(runner, commandPath(name, family, opts.sbinDir))),
    );
    if (usable.every(Boolean)) {
      opts.log.info(`using iptables backend ${name}`);
      return iptablesBackend(name, runner, opts.sbinDir);
    }
  }
  throw new Error('could not find iptables backend');
}

async function listsFilterTable(runner: CommandRunner, command: string): Promise<boolean> {
  try {
    return (await runner(command, ['--wait', '-n', '-L'])).code === 0;
  } catch {
    return false;
  }
}
