import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { TestNetns } from '../support/netns';

export const UDP_PEER = path.join(__dirname, 'udp-peer.js');
export const TCP_PEER = path.join(__dirname, 'tcp-peer.js');

/** A long-running udp-peer or tcp-peer inside a namespace; its stdout lines are collected. */
export class Peer {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;

  private constructor(ns: TestNetns, program: string, args: string[]) {
    this.child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, program, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      this.lines.push(...parts);
    });
  }

  /** Resolves once the peer listens; `started` receives it before that, so that a failed start is still stopped. */
  static async start(ns: TestNetns, program: string, args: string[], started: (peer: Peer) => void): Promise<Peer> {
    const peer = new Peer(ns, program, args);
    started(peer);
    await peer.waitFor((line) => line === 'ready');
    return peer;
  }

  async waitFor(predicate: (line: string) => boolean, timeoutMs = 3000): Promise<string> {
    return poll(() => this.lines.find(predicate), timeoutMs, `no line of the peer matched; got ${JSON.stringify(this.lines)}`);
  }

  /** What it heard: every line after `ready`. */
  get heard(): string[] {
    return this.lines.filter((line) => line !== 'ready');
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

export async function poll<T>(probe: () => T | undefined, timeoutMs: number, failure: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs a peer program once inside `ns` without blocking the event loop, so that attempts can run in parallel. */
export function runPeer(ns: TestNetns, program: string, args: string[]): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns.name, process.execPath, program, ...args], { encoding: 'utf8', timeout: 10_000 }, (err, stdout) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ status: code, stdout });
    });
  });
}
