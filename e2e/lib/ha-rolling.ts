import type { HaLab } from './ha-lab';
import { HA_SERVERS, range, shootHost } from './ha-plan';
import { startStream, STREAM_PORT, type RunningStream } from './ha-streams';
import { longestGap, type PingReply } from './measurement';
import type { StreamResult } from './programs/stream';

/** One step of a rolling update: which pod was replaced, and when (ms since the epoch). */
export interface RollingStep {
  name: string;
  from: number;
  to: number;
  /** Per kube-apiserver pod: the longest time without a ping reply during the step. */
  gapsMs: number[];
}

export interface RollingUpdate {
  steps: RollingStep[];
  /** Per kube-apiserver pod: the echo connection held across the server steps. */
  held: StreamResult[];
  /** Per kube-apiserver pod: a new connection every 50 ms across the vpn-shoot steps. */
  connects: StreamResult[];
}

/**
 * A release rolled through an HA shoot as Kubernetes rolls it, on a running HaLab with the stream server
 * started: the vpn-seed-server StatefulSet one replica at a time (SIGTERM, the new container back and every
 * path healthy before the next), then the vpn-shoot pods the same way (the kubelet's SIGTERM to the tunnel
 * controller, to the OpenVPN clients after their preStop). From each kube-apiserver pod meanwhile: a 20 ms
 * ping, an echo connection held across the server steps, and a new connection every 50 ms across the
 * vpn-shoot steps (connections the leaving pod NATed cannot survive it).
 */
export async function rollingUpdate(lab: HaLab): Promise<RollingUpdate> {
  const target = shootHost(lab.plan, 'pod', 'IPv4').address.address;
  const kapis = range(lab.plan.spec.seedClients);
  const pings = kapis.map((k) => lab.startPing(k, target));
  const steps: Omit<RollingStep, 'gapsMs'>[] = [];
  const step = async (name: string, run: () => Promise<void>): Promise<void> => {
    const from = Date.now();
    await run();
    await lab.waitAllHealthy(60_000);
    steps.push({ name, from, to: Date.now() });
  };

  const holding: RunningStream[] = await Promise.all(
    kapis.map((k) => startStream(lab, k, { op: 'echo', host: target, port: STREAM_PORT, everyMs: 20 })),
  );
  for (const s of range(HA_SERVERS)) {
    await step(`server${s}`, async () => {
      await lab.stopServer(s, 'SIGTERM');
      await lab.startServer(s);
    });
  }
  const held = await Promise.all(holding.map((h) => h.stop()));

  const connecting: RunningStream[] = await Promise.all(
    kapis.map((k) => startStream(lab, k, { op: 'connects', host: target, port: STREAM_PORT, everyMs: 50 })),
  );
  for (const k of range(lab.plan.spec.shootClients)) {
    await step(`vpn-shoot-${k}`, async () => {
      await lab.deleteShootClient(k);
      await lab.startShootClient(k);
    });
  }
  const connects = await Promise.all(connecting.map((c) => c.stop()));
  const replies = await Promise.all(pings.map((p) => p.stop()));
  return { steps: steps.map((st) => ({ ...st, gapsMs: kapis.map((k) => gapWithin(replies[k], st)) })), held, connects };
}

/** The longest time without a ping reply during the step (from the last reply before it). */
function gapWithin(replies: PingReply[], step: Omit<RollingStep, 'gapsMs'>): number {
  const before = replies.filter((r) => r.atMs < step.from).slice(-1);
  const during = replies.filter((r) => r.atMs >= step.from && r.atMs <= step.to);
  const gap = longestGap([...before, ...during]);
  if (gap === undefined) throw new Error(`no ping replies during ${step.name}`);
  return gap.ms;
}
