import { blackHole, randomLoss, type Fault } from './faults';
import type { HaLab } from './ha-lab';
import { ipv4Of, range, seedPrimaryFamily, shootHost } from './ha-plan';
import { watchUsage, type Usage } from './ha-usage';
import { gapsLongerThan, longestGap, type PingReply } from './measurement';
import { sleep } from './process-supervisor';
import { controllerPids } from './processes';

/**
 * The failover scenarios of the HA suite and of `bench/ha-failover`, on a running HaLab. Each measures,
 * from every kube-apiserver pod at once, a `ping -i 0.02` series to the shoot pod host across the event:
 * the outage is the longest time between two replies.
 */
export interface Outage {
  kapi: number;
  gapMs: number;
  /** Pings unanswered during the longest gap. */
  lost: number;
  replies: number;
  /**
   * Gaps longer than LONG_GAP_MS, the failover goal: a path that carried traffic only in such bursts could
   * not be told from a black hole by a detector that fast.
   */
  longGaps: number;
}

export const LONG_GAP_MS = 250;

/** Time the path controllers get to bring their probe timeouts down to steady state before a fault. */
export const SETTLE_MS = 5_000;
const BEFORE_FAULT_MS = 500;
const AFTER_FAULT_MS = 2_500;

/** The server carrying kube-apiserver pod 0's active path: the one whose failure matters. */
export function activeServer(lab: HaLab): number {
  const [active] = lab.pathView(0).active;
  const m = /^tap(\d+)\//.exec(active ?? '');
  if (!m) throw new Error(`kube-apiserver pod 0 has no active path (${JSON.stringify(lab.pathView(0))})`);
  return Number(m[1]);
}

/**
 * Waits until every path is healthy, then lets the path controllers settle: an echo that arrives late
 * (a probe sent while the path was down) lengthens the probe timeout, which takes a few seconds to shrink.
 */
export async function settle(lab: HaLab, ms = SETTLE_MS): Promise<void> {
  await lab.waitAllHealthy(30_000);
  await sleep(ms);
}

/** Pings from every kube-apiserver pod while `event` runs, and `afterMs` longer. */
export async function outagesAcross(lab: HaLab, event: () => Promise<void>, afterMs = AFTER_FAULT_MS): Promise<Outage[]> {
  const target = shootHost(lab.plan, 'pod', seedPrimaryFamily(lab.plan.spec)).address.address;
  const series = range(lab.plan.spec.seedClients).map((k) => lab.startPing(k, target));
  await sleep(BEFORE_FAULT_MS);
  const eventAt = Date.now();
  await event();
  await sleep(afterMs);
  const replies = await Promise.all(series.map((s) => s.stop()));
  return replies.map((r, kapi) => outage(kapi, r, eventAt));
}

function outage(kapi: number, replies: PingReply[], eventAt: number): Outage {
  const gap = longestGap(replies);
  if (!gap) throw new Error(`kube-apiserver pod ${kapi}: too few ping replies (${replies.length})`);
  const last = replies[replies.length - 1];
  if (!last || last.atMs < eventAt)
    throw new Error(`kube-apiserver pod ${kapi}: no ping reply after the event (${replies.length} before it)`);
  return { kapi, gapMs: gap.ms, lost: gap.lost, replies: replies.length, longGaps: gapsLongerThan(replies, LONG_GAP_MS) };
}

/** A fault of one server, with what each kube-apiserver pod routed over before it and the switches it made since. */
export interface ServerFault {
  server: number;
  outages: Outage[];
  /** Per kube-apiserver pod: its active path(s) just before the fault. */
  activeBefore: string[][];
  /** Per kube-apiserver pod: every switch of its active path(s) from the fault on, in order. */
  switchesAfter: string[][][];
  /** Per kube-apiserver pod: the taps whose server it found not acknowledging from the fault on. */
  stalledAfter: string[][];
}

/** SIGKILL of the OpenVPN server carrying the active path. */
export async function killActiveServer(lab: HaLab): Promise<ServerFault> {
  const server = activeServer(lab);
  return faultOf(lab, server, () => outagesAcross(lab, () => lab.stopServer(server, 'SIGKILL')));
}

/** Runs `run`, a fault of `server`, and records the active paths before it and the switches from it on. */
export async function faultOf(lab: HaLab, server: number, run: () => Promise<Outage[]>): Promise<ServerFault> {
  const pods = range(lab.plan.spec.seedClients);
  const activeBefore = pods.map((k) => lab.pathView(k).active);
  const marks = pods.map((k) => lab.pathLogMark(k));
  const outages = await run();
  const views = marks.map((mark, k) => lab.pathView(k, mark));
  return { server, outages, activeBefore, switchesAfter: views.map((v) => v.switches), stalledAfter: views.map((v) => v.stalled) };
}

/**
 * Restarts a killed server (root command and OpenVPN, as the container restarting) and waits until every
 * path through it is healthy again; counts the active-path switches this caused.
 */
export async function restartServer(
  lab: HaLab,
  server: number,
): Promise<{ outages: Outage[]; switches: number[]; healthyAfterMs: number }> {
  const marks = range(lab.plan.spec.seedClients).map((k) => lab.pathLogMark(k));
  let healthyAfterMs = 0;
  const outages = await outagesAcross(
    lab,
    async () => {
      const startedAt = Date.now();
      await lab.startServer(server);
      await lab.waitAllHealthy(30_000);
      healthyAfterMs = Date.now() - startedAt;
    },
    1_000,
  );
  return { outages, switches: marks.map((mark, k) => lab.pathView(k, mark).switches.length), healthyAfterMs };
}

/** Black-holes the server carrying the active path, measures, then lifts the black hole. */
export async function blackHoleActiveServer(lab: HaLab): Promise<ServerFault> {
  const server = activeServer(lab);
  let hole: Fault | undefined;
  try {
    return await faultOf(lab, server, () =>
      outagesAcross(lab, async () => {
        hole = await blackHole(lab.ns.servers[server]);
      }),
    );
  } finally {
    await hole?.undo();
  }
}

/** Random loss on the link between the ingress and the active server for `ms`; counts switches and dead verdicts. */
export async function lossOnActivePath(
  lab: HaLab,
  probability: number,
  ms: number,
): Promise<{ server: number; switches: number[]; deadVerdicts: number[]; outages: Outage[]; dropped: number }> {
  const server = activeServer(lab);
  const marks = range(lab.plan.spec.seedClients).map((k) => lab.pathLogMark(k));
  const fault = await randomLoss(lab.ns.servers[server], ipv4Of(lab.plan.ingressInternal), probability);
  try {
    const outages = await outagesAcross(lab, () => sleep(ms), 0);
    const views = marks.map((mark, k) => lab.pathView(k, mark));
    return {
      server,
      switches: views.map((v) => v.switches.length),
      deadVerdicts: views.map((v) => v.deaths),
      outages,
      dropped: await fault.dropped(),
    };
  } finally {
    await fault.undo();
  }
}

/** CPU and largest RSS of every path and tunnel controller over `ms`. */
export async function controllerUsage(lab: HaLab, ms: number): Promise<{ name: string; usage: Usage }[]> {
  const controllers = controllerPids(lab.ns);
  const watch = watchUsage(controllers.map((c) => c.pid));
  await sleep(ms);
  const usage = watch.stop();
  return controllers.map((c, i) => ({ name: c.name, usage: usage[i] }));
}
