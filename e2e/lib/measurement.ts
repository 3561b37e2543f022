import * as path from 'node:path';
import type { Upstream } from './connect-proxy';
import type { FlowsResult } from './ha-flows';
import type { Netns } from './netns';
import type { ProcessSupervisor } from './process-supervisor';

/**
 * How the suite measures the tunnel: tunnel-up is the time from starting the client container to the
 * first reply through the tunnel (fresh probes, so no connection state from before the tunnel is reused);
 * an outage is the longest gap between consecutive replies of one `ping -D` series. Byte counters of a
 * link and many concurrent TCP flows (`ha-flows`) show how traffic spreads over the servers.
 */
export interface PingReply {
  seq: number;
  /** Wall-clock time of the reply in ms since the epoch (ping's `-D` stamp). */
  atMs: number;
}

const REPLY = /^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+)/;

export function parsePingReplies(output: string): PingReply[] {
  const replies: PingReply[] = [];
  for (const line of output.split('\n')) {
    const m = REPLY.exec(line);
    if (m) replies.push({ seq: Number(m[2]), atMs: Math.round(Number(m[1]) * 1000) });
  }
  return replies;
}

export interface Gap {
  ms: number;
  /** The replies before and after the gap. */
  afterSeq: number;
  beforeSeq: number;
  lost: number;
}

/** The longest time without a reply between the first and the last reply; undefined with fewer than two. */
export function longestGap(replies: readonly PingReply[]): Gap | undefined {
  const sorted = [...replies].sort((a, b) => a.atMs - b.atMs);
  let best: Gap | undefined;
  for (let i = 1; i < sorted.length; i++) {
    const ms = sorted[i].atMs - sorted[i - 1].atMs;
    if (!best || ms > best.ms)
      best = { ms, afterSeq: sorted[i - 1].seq, beforeSeq: sorted[i].seq, lost: sorted[i].seq - sorted[i - 1].seq - 1 };
  }
  return best;
}

/** How many times the replies stopped for longer than `ms`. */
export function gapsLongerThan(replies: readonly PingReply[], ms: number): number {
  const times = replies.map((r) => r.atMs).sort((a, b) => a - b);
  let count = 0;
  for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] > ms) count += 1;
  return count;
}

export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Probes still running when this many are in flight delay the next one. */
  maxInFlight: number;
  now?: () => number;
}

/**
 * Starts `probe` every `intervalMs` without waiting for earlier ones (a probe of an unreachable address
 * takes its whole timeout) and resolves with the time the first one succeeded.
 */
export function firstSuccess(probe: () => Promise<boolean>, opts: PollOptions): Promise<number> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  return new Promise((resolve, reject) => {
    let done = false;
    let inFlight = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    const tick = (): void => {
      if (done) return;
      if (now() > deadline) return finish(() => reject(new Error(`no probe succeeded within ${opts.timeoutMs} ms`)));
      if (inFlight < opts.maxInFlight) {
        inFlight++;
        probe().then(
          (ok) => {
            inFlight--;
            if (ok) finish(() => resolve(now()));
          },
          (err: unknown) => finish(() => reject(err instanceof Error ? err : new Error(String(err)))),
        );
      }
      timer = setTimeout(tick, opts.intervalMs);
    };
    tick();
  });
}

/** Seconds with two decimals, as printed in `measure:` lines. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

/** A running `ping -D` series; `stop` ends it and returns its replies. */
export interface PingSeries {
  stop(): Promise<PingReply[]>;
}

/** `count` pings, one every `intervalS`, from `netns` (as group `gid`) to `target`, under `supervisor` as `name`. */
export function startPingSeries(
  supervisor: ProcessSupervisor,
  opts: { name: string; netns: Netns; target: string; intervalS: number; count: number; gid?: number },
): PingSeries {
  const proc = supervisor.start({
    name: opts.name,
    netns: opts.netns,
    file: 'ping',
    args: ['-D', '-n', '-i', String(opts.intervalS), '-c', String(opts.count), opts.target],
    gid: opts.gid,
  });
  return {
    stop: async () => {
      await proc.stop('SIGINT');
      return parsePingReplies(proc.output());
    },
  };
}

/** Bytes received plus sent on `dev` in `ns`. */
export async function linkBytes(ns: Netns, dev: string): Promise<number> {
  const [link] = JSON.parse(await ns.ip('-s', '-j', 'link', 'show', dev)) as {
    stats64: { rx: { bytes: number }; tx: { bytes: number } };
  }[];
  return link.stats64.rx.bytes + link.stats64.tx.bytes;
}

/** The port of the flow sink on the shoot hosts (balance-rr spreading). */
export const FLOW_PORT = 9000;
const FLOWS_PROGRAM = path.join(__dirname, 'ha-flows.js');

/** Starts the flow sink in `ns` and waits until it listens. */
export async function startFlowSink(supervisor: ProcessSupervisor, ns: Netns): Promise<void> {
  const proc = supervisor.start({
    name: 'flow-sink',
    netns: ns,
    file: process.execPath,
    args: [FLOWS_PROGRAM, JSON.stringify({ op: 'sink', port: FLOW_PORT })],
  });
  await proc.waitForLine(/listening/, 5_000);
}

/** `flows` concurrent TCP flows of `bytes` each from `ns` to every target's flow sink. */
export async function sendFlows(ns: Netns, targets: string[], flows: number, bytes: number): Promise<FlowsResult> {
  const op = { op: 'send', targets: targets.map((host): Upstream => ({ host, port: FLOW_PORT })), flows, bytes, timeoutMs: 30_000 };
  const r = await ns.exec(process.execPath, [FLOWS_PROGRAM, JSON.stringify(op)], { timeoutMs: 40_000 });
  try {
    return JSON.parse(r.stdout) as FlowsResult;
  } catch {
    return { ok: 0, failed: flows * targets.length, detail: `flows crashed: ${(r.stderr || r.stdout).trim()}`, ms: 0 };
  }
}
