import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireRoot } from '@vpn/common/dist/test/support/privileges';
import { createCertificates } from '../lib/certs';
import { cleanupOnExit } from '../lib/exit-cleanup';
import { createHaCertificates } from '../lib/ha-certs';
import { haPlan, ipv4Of, range } from '../lib/ha-plan';
import { HaTopology } from '../lib/ha-topology';
import { readControllerLog } from '../lib/ha-verdicts';
import { aimsAt, heardBy, SERVER_TUNNEL_ADDRESS, SINK_PORT } from '../lib/isolation';
import { longestGap, parsePingReplies } from '../lib/measurement';
import type { Netns } from '../lib/netns';
import { ProcessSupervisor, sleep } from '../lib/process-supervisor';
import { addressPlan, type IfAddr } from '../lib/address-plan';
import { withRulesStripped } from '../lib/rule-stripping';
import { Topology } from '../lib/topology';
import { runProbe, startLabProgram } from '../lib/lab-core';
import { ENVOY_GID, ENVOY_PORT, SHOOT_HOST_PORT } from '../lib/lab-programs';
import { measure } from '../scenarios/support';
import { containerEnv, loadVariant, podsOf, type Pod } from './manifests';
import { buildImages, PodmanPods, type RunningPod, type SecretStore } from './podman-pods';

/**
 * The images run as the manifests say: every pod of deploy/non-ha and deploy/ha runs from the images with
 * podman inside the network-namespace lab (one namespace per pod, the lab's ingress, envoy and shoot-host
 * stand-ins), probed the way a kubelet probes it, and must show what the netns suites show: the shoot's
 * pod, service and node addresses reachable from the kube-apiserver through the tunnel only, nothing the
 * shoot initiates reaching the seed, ready probes, and (HA) a failover under a second.
 */

interface Lab {
  dir: string;
  supervisor: ProcessSupervisor;
  pods: PodmanPods;
  running: Map<string, RunningPod>;
  cleanup: (() => void | Promise<void>)[];
}

function podNamed(pods: Pod[], prefix: string): Pod {
  const pod = pods.find((p) => p.name.startsWith(prefix));
  assert.ok(pod, `no pod ${prefix}* in the manifests`);
  return pod;
}

/** Every name of ENDPOINT (with and without the trailing dot) of a pod's containers. */
function endpointNames(pod: Pod): string[] {
  const names = new Set<string>();
  for (const c of pod.spec.containers)
    for (const v of c.env ?? []) if (v.name === 'ENDPOINT' && v.value) names.add(v.value).add(v.value.replace(/\.$/, ''));
  return [...names];
}

/** Until `ok` answers true (every 200 ms) or the timeout passes. */
async function eventually(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(200);
  }
}

/** Readiness of every container that has a probe (and liveness once), as the kubelet runs them. */
async function assertProbesPass(pods: RunningPod[], since: number): Promise<Record<string, number>> {
  const ready: Record<string, number> = {};
  await Promise.all(
    pods.flatMap((rp) =>
      rp.containers.flatMap((c) =>
        (['readinessProbe', 'livenessProbe'] as const)
          .filter((k) => c[k])
          .map(async (k) => {
            ready[`${rp.pod.name}/${c.name}/${k === 'readinessProbe' ? 'ready' : 'alive'}_s`] = await rp.probeUntilSuccess(
              c,
              k,
              since,
              60_000,
            );
          }),
      ),
    ),
  );
  return ready;
}

/** Sinks in `seedPods` witness every TCP connection and UDP datagram the shoot pod manages to send them. */
async function shootReachesNothing(
  lab: Lab,
  shoot: Netns,
  seedPods: [Netns, IfAddr[]][],
  extraTargets: string[],
  tunnelDevice: string,
  seedPodNetworks: string[],
  /** The seed pods whose containers install rules of ours (the control strips them). */
  guarded: Netns[],
): Promise<void> {
  const sinks = await Promise.all(seedPods.map(([ns], i) => startLabProgram(lab.supervisor, ns, `sink-${i}`, 'sink', { port: SINK_PORT })));
  const routes = seedPodNetworks.map((cidr) =>
    tunnelDevice === 'tun0' ? ['route', 'replace', cidr, 'dev', 'tun0'] : ['route', 'replace', cidr, 'dev', tunnelDevice],
  );
  for (const r of routes) await shoot.ip(...r);
  const targets = [...extraTargets, ...seedPods.flatMap(([, addrs]) => addrs.flatMap(aimsAt))];
  const attempt = async (): Promise<{ opened: string[]; heard: string[] }> => {
    const attempts = await Promise.all(
      targets.flatMap((host) => [
        runProbe(shoot, { op: 'connect', target: { host, port: SINK_PORT }, timeoutMs: 1_500 }).then((r) => ({ host, proto: 'TCP', ...r })),
        runProbe(shoot, { op: 'datagrams', target: { host, port: SINK_PORT }, count: 3 }).then((r) => ({ host, proto: 'UDP', ...r })),
      ]),
    );
    await sleep(300);
    return { opened: attempts.filter((a) => a.proto === 'TCP' && a.ok).map((a) => a.host), heard: sinks.flatMap((s) => heardBy(s)) };
  };
  // Control in the same pods: without the rules the images installed, the same attempts get through.
  const ours = (line: string): boolean => /"vpn-(seed-server|shoot-client):/.test(line);
  const stripped = guarded.reduceRight<() => Promise<{ opened: string[]; heard: string[] }>>(
    (inner, ns) => () => withRulesStripped(ns, ours, inner),
    attempt,
  );
  const control = await stripped();
  assert.ok(control.opened.length > 0 && control.heard.length > 0, `control without our rules: ${JSON.stringify(control)}`);
  const withRules = await attempt();
  assert.deepEqual(withRules.opened, [], 'the shoot opened a connection into the seed');
  assert.deepEqual(withRules.heard.slice(control.heard.length), [], 'a seed pod heard the shoot');
}

function useLab(name: string): () => Lab {
  let lab: Lab | undefined;
  let forget: (() => void) | undefined;
  before(async function () {
    requireRoot(this);
    this.timeout(20 * 60_000);
    await buildImages();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `vpn-e2e-images-${name}-`));
    forget = cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));
    await fs.mkdir(path.join(dir, 'logs'));
    lab = {
      dir,
      supervisor: new ProcessSupervisor(path.join(dir, 'logs')),
      pods: undefined as unknown as PodmanPods,
      running: new Map(),
      cleanup: [],
    };
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && lab) process.stdout.write(`${lab.supervisor.report()}\n${await lab.pods?.report()}\n`);
  });
  after(async function () {
    this.timeout(60_000);
    if (!lab) return;
    lab.pods?.destroy();
    for (const c of lab.cleanup.reverse()) await c();
    await lab.supervisor.stopAll('SIGKILL');
    rmSync(lab.dir, { recursive: true, force: true });
    forget?.();
  });
  return () => {
    if (!lab) throw new Error('the image lab was not set up');
    return lab;
  };
}

function secretsOf(files: Record<string, Record<string, string>>): SecretStore {
  return Object.fromEntries(
    Object.entries(files).map(([name, keys]) => [
      name,
      Object.fromEntries(Object.entries(keys).map(([k, file]) => [k, readFileSync(file, 'utf8')])),
    ]),
  );
}

describe('[e2e] images: deploy/non-ha pods in podman', function () {
  this.timeout(120_000);
  const get = useLab('non-ha');
  const pods = podsOf(loadVariant('non-ha'));
  const plan = addressPlan({
    name: 'img',
    shootFamilies: ['IPv4', 'IPv6'],
    seedFamilies: ['IPv4', 'IPv6'],
    seedPodsOverlapShootPods: false,
    headerKey: 'X-Gardener-Destination',
  });
  let topology: Topology;
  let since = 0;

  before(async function () {
    this.timeout(180_000);
    const lab = get();
    const certs = await createCertificates(path.join(lab.dir, 'pki'));
    const secrets = secretsOf({
      'ca-vpn': { 'bundle.crt': certs.ca.cert },
      'vpn-seed-server': { 'tls.crt': certs.server.cert, 'tls.key': certs.server.key },
      'vpn-seed-server-tlsauth': { 'vpn.tlsauth': certs.tlsAuthKey },
      'vpn-shoot-ca': { 'bundle.crt': certs.ca.cert },
      'vpn-shoot-client': { 'tls.crt': certs.client.cert, 'tls.key': certs.client.key },
      'vpn-shoot-tlsauth': { 'vpn.tlsauth': certs.tlsAuthKey },
    });
    topology = await Topology.build(plan, `e2eimg-${process.pid}-n`);
    lab.cleanup.push(() => topology.destroy());
    lab.pods = new PodmanPods(path.join(lab.dir, 'pods'), secrets, `e2eimg-${process.pid}`);
    const server = podNamed(pods, 'vpn-seed-server');
    const shoot = podNamed(pods, 'vpn-shoot');
    const header = containerEnv(shoot, shoot.spec.containers[0], { podIp: '', hostIp: '' }).REVERSED_VPN_HEADER;
    const { ns } = topology;
    await Promise.all([
      startLabProgram(lab.supervisor, ns.ingress, 'ingress', 'ingress-proxy', {
        host: '::',
        listeners: [{ port: plan.ingressPort, headerKey: plan.spec.headerKey }],
        routes: { [header]: { host: ipv4Of(plan.seedServer), port: 1194 } },
      }),
      startLabProgram(lab.supervisor, ns.shootHosts, 'shoot-hosts', 'shoot-host', { port: SHOOT_HOST_PORT }),
    ]);
    since = Date.now();
    const srv = await lab.pods.start({
      pod: server,
      netns: ns.server,
      podIp: ipv4Of(plan.seedServer),
      hostIp: ipv4Of(plan.seedGateways),
      hosts: [],
    });
    // The envoy sidecar's stand-in, in the server pod with envoy's group (the manifest's runAsGroup).
    await startLabProgram(lab.supervisor, ns.server, 'envoy-proxy', 'envoy-proxy', { host: '::', port: ENVOY_PORT }, ENVOY_GID);
    const cli = await lab.pods.start({
      pod: shoot,
      netns: ns.client,
      podIp: ipv4Of(plan.shootClient),
      hostIp: ipv4Of(plan.shootClientGateways),
      hosts: [[plan.endpoint, endpointNames(shoot)]],
    });
    lab.running.set('server', srv).set('shoot', cli);
  });

  it('runs every probe of the manifests to success (readiness, liveness)', async function () {
    this.timeout(120_000);
    measure('images-non-ha', await assertProbesPass([...get().running.values()], since));
  });

  it('reaches every shoot pod, service and node address from the kube-apiserver through the envoy CONNECT proxy only', async function () {
    this.timeout(60_000);
    const { ns } = topology;
    const envoy = { host: ipv4Of(plan.seedServer), port: ENVOY_PORT };
    for (const h of plan.shootHosts) {
      const target = { host: h.address.address, port: SHOOT_HOST_PORT };
      await eventually(
        `${h.kind} ${h.address.address} through the tunnel`,
        async () => (await runProbe(ns.kubeApiserver, { op: 'request', target, proxy: envoy, timeoutMs: 2_000 })).ok,
        30_000,
      );
      const direct = await runProbe(ns.kubeApiserver, { op: 'request', target, timeoutMs: 1_000 });
      assert.equal(direct.ok, false, `${h.address.address} reachable without the tunnel`);
    }
  });

  it('lets nothing the shoot initiates reach the server pod or the kube-apiserver pod', async function () {
    this.timeout(60_000);
    const { ns } = topology;
    await shootReachesNothing(
      get(),
      ns.client,
      [
        [ns.server, plan.seedServer],
        [ns.kubeApiserver, plan.kubeApiserver],
      ],
      [SERVER_TUNNEL_ADDRESS],
      'tun0',
      plan.seedPodNetworks,
      [ns.server],
    );
  });
});

describe('[e2e] images: deploy/ha pods in podman', function () {
  this.timeout(120_000);
  const get = useLab('ha');
  const pods = podsOf(loadVariant('ha'));
  const plan = haPlan({ name: 'imgha', shootClients: 2, seedClients: 1, overlap: false });
  let topology: HaTopology;
  let since = 0;

  before(async function () {
    this.timeout(180_000);
    const lab = get();
    const certs = await createHaCertificates(path.join(lab.dir, 'pki'), 2);
    const secrets = secretsOf({
      'ca-vpn': { 'bundle.crt': certs.caCert },
      'vpn-seed-server': { 'tls.crt': certs.server.cert, 'tls.key': certs.server.key },
      'vpn-seed-client': { 'tls.crt': certs.seedClient.cert, 'tls.key': certs.seedClient.key },
      'vpn-seed-server-tlsauth': { 'vpn.tlsauth': certs.tlsAuthKey },
      'vpn-shoot-ca': { 'bundle.crt': certs.caCert },
      'vpn-shoot-client-0': { 'tls.crt': certs.shootClients[0].cert, 'tls.key': certs.shootClients[0].key },
      'vpn-shoot-client-1': { 'tls.crt': certs.shootClients[1].cert, 'tls.key': certs.shootClients[1].key },
      'vpn-shoot-tlsauth': { 'vpn.tlsauth': certs.tlsAuthKey },
    });
    topology = await HaTopology.build(plan, `e2eimg-${process.pid}-h`);
    lab.cleanup.push(() => topology.destroy());
    lab.pods = new PodmanPods(path.join(lab.dir, 'pods'), secrets, `e2eimgha-${process.pid}`);
    const { ns } = topology;
    const kapi = podNamed(pods, 'kube-apiserver');
    // Per-pod names of the headless Service: the kube-apiserver's clients dial them, the ingress routes the
    // shoot clients' header values (outbound|1194||<name>) to them.
    const serverNames = range(2).map(
      (s) =>
        containerEnv(
          kapi,
          kapi.spec.containers.find((c) => c.name === `vpn-client-${s}`)!,
          { podIp: '', hostIp: '' },
        ).ENDPOINT,
    );
    const routes = Object.fromEntries(serverNames.map((n, s) => [`outbound|1194||${n}`, { host: ipv4Of(plan.servers[s]), port: 1194 }]));
    await Promise.all([
      startLabProgram(lab.supervisor, ns.ingress, 'ingress', 'ingress-proxy', {
        host: '::',
        listeners: [{ port: plan.ingressPort, headerKey: 'X-Gardener-Destination' }],
        routes,
      }),
      startLabProgram(lab.supervisor, ns.shootHosts, 'shoot-hosts', 'shoot-host', { port: SHOOT_HOST_PORT }),
    ]);
    since = Date.now();
    const hostIp = ipv4Of(plan.seedGateways);
    const servers = await Promise.all(
      range(2).map((s) =>
        lab.pods.start({
          pod: podNamed(pods, `vpn-seed-server-${s}`),
          netns: ns.servers[s],
          podIp: ipv4Of(plan.servers[s]),
          hostIp,
          hosts: [],
        }),
      ),
    );
    const kapiPod = await lab.pods.start({
      pod: kapi,
      netns: ns.seedClients[0],
      podIp: ipv4Of(plan.seedClients[0]),
      hostIp,
      hosts: serverNames.map((n, s) => [ipv4Of(plan.servers[s]), [n]]),
    });
    const shoots = await Promise.all(
      range(2).map((k) => {
        const pod = podNamed(pods, `vpn-shoot-${k}`);
        return lab.pods.start({
          pod,
          netns: ns.shootClients[k],
          podIp: ipv4Of(plan.shootClients[k]),
          hostIp: ipv4Of(plan.shootClientGateways),
          hosts: [[plan.endpoint, endpointNames(pod)]],
        });
      }),
    );
    servers.forEach((p, s) => lab.running.set(`server${s}`, p));
    shoots.forEach((p, k) => lab.running.set(`shoot${k}`, p));
    lab.running.set('kapi', kapiPod);
  });

  it('runs every probe of the manifests to success (server readiness/liveness, exporter, tunnel controller /readyz)', async function () {
    this.timeout(120_000);
    measure('images-ha', await assertProbesPass([...get().running.values()], since));
  });

  it('reaches every shoot pod, service and node address from the kube-apiserver pod through the tunnel only', async function () {
    this.timeout(60_000);
    const { ns } = topology;
    for (const h of plan.shootHosts) {
      const target = { host: h.address.address, port: SHOOT_HOST_PORT };
      await eventually(
        `${h.kind} ${h.address.address} through the tunnel`,
        async () => (await runProbe(ns.seedClients[0], { op: 'request', target, timeoutMs: 2_000 })).ok,
        40_000,
      );
      assert.equal(
        (await runProbe(ns.seedNode, { op: 'request', target, timeoutMs: 1_000 })).ok,
        false,
        `${h.address.address} reachable from the seed without the tunnel`,
      );
    }
  });

  it('lets nothing a vpn-shoot pod initiates reach the kube-apiserver pod or a server pod', async function () {
    this.timeout(60_000);
    const { ns } = topology;
    await shootReachesNothing(
      get(),
      ns.shootClients[0],
      [
        [ns.seedClients[0], plan.seedClients[0]],
        [ns.servers[0], plan.servers[0]],
      ],
      [],
      'tap0',
      plan.seedPodNetworks,
      [ns.seedClients[0], ns.servers[0]],
    );
  });

  it('fails over in under a second when the server container carrying the active path is killed', async function () {
    this.timeout(60_000);
    const lab = get();
    const kapi = lab.running.get('kapi')!;
    const active = readControllerLog((await kapi.logs('vpn-path-controller')).split('\n')).active;
    assert.ok(active.length > 0, 'the path controller has an active path');
    const server = Number(/^tap(\d)/.exec(active[0])?.[1]);
    const target = ipv4Of([plan.shootHosts.find((h) => h.kind === 'pod' && h.address.family === 'IPv4')!.address]);
    const ping = lab.supervisor.start({
      name: 'failover-ping',
      netns: topology.ns.seedClients[0],
      file: 'ping',
      args: ['-D', '-n', '-i', '0.02', '-c', '1000', target],
    });
    await sleep(1_500);
    await lab.running.get(`server${server}`)!.kill('vpn-seed-server');
    await sleep(4_000);
    await ping.stop('SIGINT');
    const replies = parsePingReplies(ping.output());
    const gap = longestGap(replies);
    assert.ok(gap, 'ping got replies');
    measure('images-ha-failover', {
      killed: `vpn-seed-server-${server}`,
      gap_s: (gap.ms / 1000).toFixed(3),
      lost: gap.lost,
      replies: replies.length,
    });
    assert.ok(replies[replies.length - 1].atMs - replies[0].atMs > 5_000, 'replies continue after the kill');
    assert.ok(gap.ms < 1_000, `longest gap ${gap.ms} ms`);
  });
});
