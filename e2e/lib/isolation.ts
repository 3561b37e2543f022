import type { IfAddr } from './address-plan';
import type { TunnelLab } from './lab';
import type { SupervisedProcess } from './process-supervisor';
import { sleep } from './process-supervisor';

/**
 * The shoot is not trusted: whatever its side of the tunnel sends must not open a connection into the
 * vpn-seed-server pod or the seed pod network, nor deliver a single datagram there. A sink in the
 * server pod and one in the kube-apiserver pod record everything that reaches them; the shoot client
 * pod then tries every address it could aim at, after adding routes into the tunnel for the real seed
 * pod networks, as a hostile shoot could.
 */
export const SINK_PORT = 7000;
/** The server's own address in the default transfer network (`VPN_NETWORK` ::1). */
export const SERVER_TUNNEL_ADDRESS = 'fd8f:6d53:b97a:1::1';

export interface Attempt {
  protocol: 'TCP' | 'UDP';
  target: string;
  /** TCP: whether a connection was opened; UDP: whether sending worked (not whether it arrived). */
  ok: boolean;
  detail: string;
}

export interface IsolationReport {
  attempts: Attempt[];
  /** Lines the sinks logged for traffic of the attempts; must stay empty. */
  witnessed: string[];
}

/** The sinks in the server pod and the kube-apiserver pod, each proven to hear traffic from the seed node. */
export async function startSinks(lab: TunnelLab): Promise<SupervisedProcess[]> {
  const { ns } = lab;
  const sinks = await Promise.all([
    lab.startProgram(ns.server, 'sink-server-pod', 'sink', { port: SINK_PORT }),
    lab.startProgram(ns.kubeApiserver, 'sink-kube-apiserver-pod', 'sink', { port: SINK_PORT }),
  ]);
  await proveSinksWork(lab, sinks);
  return sinks;
}

/** Every attempt of the shoot client pod, and what of it the sinks heard. */
export async function attemptsFromShoot(lab: TunnelLab, sinks: SupervisedProcess[]): Promise<IsolationReport> {
  const { ns, plan } = lab;
  const baseline = sinks.map((s) => heardBy(s).length);
  for (const cidr of plan.seedPodNetworks) await ns.client.ip('route', 'replace', cidr, 'dev', 'tun0');
  const targets = [SERVER_TUNNEL_ADDRESS, ...[...plan.seedServer, ...plan.kubeApiserver].flatMap(aimsAt)];
  const attempts = await Promise.all(
    targets.flatMap((host) => [
      lab
        .probe(ns.client, { op: 'connect', target: { host, port: SINK_PORT }, timeoutMs: 1_500 })
        .then((r) => ({ protocol: 'TCP' as const, target: host, ok: r.ok, detail: r.detail })),
      lab
        .probe(ns.client, { op: 'datagrams', target: { host, port: SINK_PORT }, count: 3 })
        .then((r) => ({ protocol: 'UDP' as const, target: host, ok: r.ok, detail: r.detail })),
    ]),
  );
  await sleep(300);
  return {
    attempts,
    witnessed: sinks.flatMap((s, i) =>
      heardBy(s)
        .slice(baseline[i])
        .map((l) => `${s.name}: ${l}`),
    ),
  };
}

/** A seed pod address as the shoot can aim at it: its real address, and for IPv4 its 241/8 mapping. */
export function aimsAt(addr: IfAddr): string[] {
  if (addr.family === 'IPv6') return [addr.address];
  return [addr.address, `241.${addr.address.split('.').slice(1).join('.')}`];
}

/** A silent sink proves nothing unless it demonstrably hears traffic: the seed node reaches both first. */
async function proveSinksWork(lab: TunnelLab, sinks: SupervisedProcess[]): Promise<void> {
  const { ns, plan } = lab;
  const pods = [plan.seedServer, plan.kubeApiserver];
  await Promise.all(
    pods.flatMap((addrs) =>
      addrs.flatMap((a) => [
        lab.probe(ns.seedNode, { op: 'connect', target: { host: a.address, port: SINK_PORT }, timeoutMs: 2_000 }),
        lab.probe(ns.seedNode, { op: 'datagrams', target: { host: a.address, port: SINK_PORT }, count: 1 }),
      ]),
    ),
  );
  for (const [i, sink] of sinks.entries()) {
    for (const gw of plan.seedGateways) {
      await sink.waitForLine(
        new RegExp(
          `tcp-accept from ${escapeRegExp(gw.address)} to ${escapeRegExp(pods[i].find((a) => a.family === gw.family)?.address ?? '')}`,
        ),
        3_000,
      );
      await sink.waitForLine(new RegExp(`udp-datagram from ${escapeRegExp(gw.address)}$`), 3_000);
    }
  }
}

/** What a sink logged hearing: accepted connections and datagrams. */
export function heardBy(proc: SupervisedProcess): string[] {
  return proc
    .output()
    .split('\n')
    .filter((l) => /tcp-accept|udp-datagram/.test(l));
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
