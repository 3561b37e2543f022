import type { IfAddr } from './address-plan';
import type { HaLab } from './ha-lab';
import { HA_SERVERS, range } from './ha-plan';
import type { Netns } from './netns';
import { sleep, type SupervisedProcess } from './process-supervisor';
import { escapeRegExp, heardBy } from './isolation';

/**
 * A kube-apiserver pod accepts from its taps only replies and neighbour discovery (docs/ha.md, "Trust boundary"), and
 * forwards nothing the shoot initiates. A sink in that pod and one in a vpn-seed-server pod record
 * everything that reaches them; a vpn-shoot pod then tries every address of the kube-apiserver pod it can
 * aim at (its pod IP, which has a return route, its tap addresses, and its eth0 IPv6 address and the seed
 * pod network after adding routes into the tunnel, as a hostile shoot could), by TCP, UDP and ICMP echo.
 */
export const SINK_PORT = 7000;

/** Where an attempt aims: at the kube-apiserver pod itself, or through it at another seed pod (a server pod). */
export type Aim = 'kube-apiserver pod' | 'seed pod network';

export interface Attempt {
  aim: Aim;
  protocol: 'TCP' | 'UDP' | 'ICMP';
  target: string;
  /** TCP: a connection opened; ICMP: an echo reply came back; UDP: sending worked (not that it arrived). */
  ok: boolean;
  detail: string;
}

export interface IsolationReport {
  attempts: Attempt[];
  /** Lines the sinks logged for traffic of the attempts, by the sink's place; must stay empty. */
  witnessed: Record<Aim, string[]>;
}

/** A sink in kube-apiserver pod `kapi` and one in server 0's pod (the seed pod network), each proven to hear the seed node. */
export async function startSinks(lab: HaLab, kapi: number): Promise<SupervisedProcess[]> {
  const { ns, plan } = lab;
  const sinks = await Promise.all([
    lab.startProgram(ns.seedClients[kapi], `sink-kapi${kapi}`, 'sink', { port: SINK_PORT }),
    lab.startProgram(ns.servers[0], 'sink-server0', 'sink', { port: SINK_PORT }),
  ]);
  await proveSinkHears(lab, sinks[0], plan.seedClients[kapi]);
  await proveSinkHears(lab, sinks[1], plan.servers[0]);
  return sinks;
}

/** Every attempt of vpn-shoot pod `shootClient` at kube-apiserver pod `kapi` and through it, and what of it `sinks` heard. */
export async function attemptsFromShoot(
  lab: HaLab,
  kapi: number,
  shootClient: number,
  sinks: SupervisedProcess[],
): Promise<IsolationReport> {
  const { ns, plan } = lab;
  const target = ns.seedClients[kapi];
  const baseline = sinks.map((s) => heardBy(s).length);

  const tapAddresses = await Promise.all(range(HA_SERVERS).map((s) => globalIpv6(target, `tap${s}`)));
  const shoot = ns.shootClients[shootClient];
  const hostile = plan.seedPodNetworks;
  for (const dst of hostile) await shoot.ip('route', 'replace', dst, 'via', 'inet6', tapAddresses[0], 'dev', 'tap0');
  try {
    const targets: [Aim, string][] = [
      ...[...plan.seedClients[kapi].map((a) => a.address), ...tapAddresses].map((host): [Aim, string] => ['kube-apiserver pod', host]),
      ...plan.servers[0].map((a): [Aim, string] => ['seed pod network', a.address]),
    ];
    const attempts = (await Promise.all(targets.map(([aim, host]) => attemptsTo(lab, shoot, aim, host)))).flat();
    await sleep(300);
    const since = (i: number): string[] => heardBy(sinks[i]).slice(baseline[i]);
    return { attempts, witnessed: { 'kube-apiserver pod': since(0), 'seed pod network': since(1) } };
  } finally {
    for (const dst of hostile) await shoot.ip('route', 'del', dst);
  }
}

async function attemptsTo(lab: HaLab, from: Netns, aim: Aim, host: string): Promise<Attempt[]> {
  const [tcp, udp, icmp] = await Promise.all([
    lab.probe(from, { op: 'connect', target: { host, port: SINK_PORT }, timeoutMs: 1_500 }),
    lab.probe(from, { op: 'datagrams', target: { host, port: SINK_PORT }, count: 3 }),
    from.exec('ping', ['-n', '-c', '2', '-i', '0.2', '-W', '1', host], { timeoutMs: 5_000 }),
  ]);
  return [
    { aim, protocol: 'TCP', target: host, ok: tcp.ok, detail: tcp.detail },
    { aim, protocol: 'UDP', target: host, ok: udp.ok, detail: udp.detail },
    { aim, protocol: 'ICMP', target: host, ok: icmp.code === 0, detail: icmp.stdout.trim().split('\n').pop() ?? '' },
  ];
}

/** A silent sink proves nothing unless it demonstrably hears traffic: the seed node reaches it first. */
async function proveSinkHears(lab: HaLab, sink: SupervisedProcess, addrs: IfAddr[]): Promise<void> {
  const seedNode = lab.ns.seedNode;
  for (const a of addrs) {
    await lab.probe(seedNode, { op: 'connect', target: { host: a.address, port: SINK_PORT }, timeoutMs: 2_000 });
    await lab.probe(seedNode, { op: 'datagrams', target: { host: a.address, port: SINK_PORT }, count: 1 });
    const gw = lab.plan.seedGateways.find((g) => g.family === a.family)?.address ?? '';
    await sink.waitForLine(new RegExp(`tcp-accept from ${escapeRegExp(gw)} to ${escapeRegExp(a.address)}`), 3_000);
    await sink.waitForLine(new RegExp(`udp-datagram from ${escapeRegExp(gw)}$`), 3_000);
  }
}

async function globalIpv6(ns: Netns, dev: string): Promise<string> {
  const [link] = JSON.parse(await ns.ip('-6', '-j', 'addr', 'show', 'dev', dev, 'scope', 'global')) as { addr_info: { local: string }[] }[];
  const address = link?.addr_info[0]?.local;
  if (!address) throw new Error(`${ns.name}: ${dev} has no global IPv6 address`);
  return address;
}
