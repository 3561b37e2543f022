import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import type { TestNetns } from './netns';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a program's committed launcher with exactly `env` (plus PATH), as a container would. */
export function runCli(launcher: string, args: string[], env: Record<string, string>): CliResult {
  const r = spawnSync(process.execPath, [launcher, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /;
export const LEGACY_TIMESTAMP = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \d{4} /;

/** The contract for every invalid input: exit 1 and exactly one stderr line, in the container's log format, naming the input. */
export function assertRejected(r: CliResult, input: string, timestamp: RegExp): void {
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, timestamp);
  assert.match(line, / error /);
  assert.ok(line.includes(input), `"${line}" does not name ${input}`);
}

/** Both families' iptables rules of a namespace without counters or comments, for exact before/after comparison. */
export function iptablesRules(ns: TestNetns): string {
  const strip = (s: string): string =>
    s
      .split('\n')
      .filter((l) => l && !l.startsWith('#') && !l.startsWith(':'))
      .join('\n');
  return `${strip(ns.sh('iptables-legacy-save'))}\n${strip(ns.sh('ip6tables-legacy-save'))}`;
}
