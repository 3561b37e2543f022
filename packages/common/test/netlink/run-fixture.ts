import * as path from 'node:path';
import type { TestNetns } from '../support/netns';

/** What a fixture prints for each step: the resolved value, or the thrown error's name and message. */
export type FixtureResult<T = unknown> = { ok: T } | { error: { name: string; message: string; code?: string } };

/**
 * Runs a compiled fixture inside the namespace, since a Node process cannot switch its own network
 * namespace. `fixture` is relative to the compiled test folder (`netlink/fixtures/netlink-calls.js`).
 * The fixture takes one JSON argument and prints one JSON value.
 */
export function runFixture<T>(ns: TestNetns, fixture: string, arg: unknown): T {
  const script = path.join(__dirname, '..', fixture);
  const r = ns.exec(process.execPath, [script, JSON.stringify(arg)]);
  if (r.status !== 0) throw new Error(`fixture ${fixture} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export function okValue<T>(result: FixtureResult<T> | undefined): T {
  if (!result || !('ok' in result)) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result.ok;
}

export function errorOf(result: FixtureResult | undefined): { name: string; message: string; code?: string } {
  if (!result || !('error' in result)) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

export function describeError(err: unknown): { name: string; message: string; code?: string } {
  if (!(err instanceof Error)) return { name: 'non-Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? { name: err.name, message: err.message, code } : { name: err.name, message: err.message };
}
