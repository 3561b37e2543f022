import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { seedClientRules, seedClientTag } from '../../src/firewall/vpn-client-rules';
import { haPoolStart, haServerSlice, haShootClientAddress } from '../../src/net/ha-address-plan';
import { Ip } from '../../src/net/ip';
import { DEFAULT_VPN_NETWORK } from '../../src/net/reserved';
import type { TestNetns } from '../support/netns';
import { runPeer, TCP_PEER, UDP_PEER } from './peer-process';
import { describeRoutedPodLab } from './routed-pod-lab';

const TAG = seedClientTag('tap0');
const SLICE = haServerSlice(DEFAULT_VPN_NETWORK, 0);
/** Addresses as OpenVPN gives them on server 0's transfer network: the pod from the seed-client pool, the shoot client its fixed one. */
const KAPI_TAP = Ip.fromValue('IPv6', haPoolStart(DEFAULT_VPN_NETWORK, 0).value + 1n).toString();
const SHOOT_TAP = haShootClientAddress(DEFAULT_VPN_NETWORK, 0, 0).toString();
/** The transfer network is IPv6 only, but a tap carries whatever frames the shoot puts on it. */
const KAPI_TAP_V4 = '192.0.2.1';
const SHOOT_TAP_V4 = '192.0.2.2';
const SEED_POD = { v4: '10.96.0.2', v6: 'fd00:96::2' };
const PORT = '7000';
/** A dropped SYN never completes; an accepted one completes in well under a millisecond on veths. */
const CONNECT_TIMEOUT_MS = '1000';

/**
 * shoot [eth0] ======= [tap0] kube-apiserver pod (ip_forward=1) [eth0] --- [eth0] seed pod
 *       …::100:b00              …::100:1001                       fd00:96::1          fd00:96::2
 *       192.0.2.2               192.0.2.1                         10.96.0.1           10.96.0.2
 * The tap is a veth whose pod end is named tap0: the rules match on the name. The shoot routes the seed pod
 * network via the pod, as a hostile shoot would.
 */
function buildTopology(shoot: TestNetns, kapi: TestNetns, pod: TestNetns): void {
  for (const ns of [shoot, kapi, pod]) ns.sh('sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0');
  kapi.sh(`ip link add tap0 type veth peer name eth0 netns ${shoot.name}`);
  kapi.sh(`ip link add eth0 type veth peer name eth0 netns ${pod.name}`);
  kapi.sh(`ip addr add ${KAPI_TAP}/${SLICE.prefixLength} dev tap0 && ip addr add ${KAPI_TAP_V4}/24 dev tap0 && ip link set tap0 up`);
  kapi.sh('ip addr add fd00:96::1/64 dev eth0 && ip addr add 10.96.0.1/24 dev eth0 && ip link set eth0 up');
  kapi.sh('sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1');
  shoot.sh(`ip addr add ${SHOOT_TAP}/${SLICE.prefixLength} dev eth0 && ip addr add ${SHOOT_TAP_V4}/24 dev eth0 && ip link set eth0 up`);
  shoot.sh(`ip route add 10.96.0.0/24 via ${KAPI_TAP_V4} && ip -6 route add fd00:96::/64 via ${KAPI_TAP}`);
  pod.sh(`ip addr add ${SEED_POD.v6}/64 dev eth0 && ip addr add ${SEED_POD.v4}/24 dev eth0 && ip link set eth0 up`);
  pod.sh('ip route add default via 10.96.0.1 && ip -6 route add default via fd00:96::1');
}

/** Every way the shoot can start something at the pod or through it: TCP, UDP and ICMP echo, both families. */
async function attack(shoot: TestNetns, payload: string): Promise<{ target: string; tcp: number; ping: number }[]> {
  const targets = [KAPI_TAP, KAPI_TAP_V4, SEED_POD.v6, SEED_POD.v4];
  return Promise.all(
    targets.map(async (target) => {
      const [tcp, udp, ping] = await Promise.all([
        runPeer(shoot, TCP_PEER, ['connect', target, PORT, CONNECT_TIMEOUT_MS]),
        runPeer(shoot, UDP_PEER, ['send', target, PORT, payload]),
        shootPing(shoot, target),
      ]);
      assert.equal(udp.status, 0, `sending to ${target} failed locally`);
      return { target, tcp: tcp.status, ping };
    }),
  );
}

function shootPing(shoot: TestNetns, target: string): Promise<number> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', shoot.name, 'ping', '-n', '-c', '1', '-W', '1', target], (err) => resolve(err === null ? 0 : 1));
  });
}

describeRoutedPodLab('kube-apiserver pod tap rules against real packets [root]', 'tap', buildTopology, (lab) => {
  const rules = (): ReturnType<typeof seedClientRules> =>
    seedClientRules({ device: 'tap0', mappings: [], seedPodNetwork: undefined, applyNetmap: false, neighbourSlice: SLICE });

  it("control without the rules: the shoot connects, sends and pings into the pod and through it; the reference's INPUT rules leave the way through open; with ours nothing arrives", async () => {
    const { shoot, middle: kapi, pod, firewall, start } = lab();
    const sinks = {
      kapiTcp: await start(kapi, TCP_PEER, ['listen', PORT]),
      kapiUdp: await start(kapi, UDP_PEER, ['listen', PORT]),
      podTcp: await start(pod, TCP_PEER, ['listen', PORT]),
      podUdp: await start(pod, UDP_PEER, ['listen', PORT]),
    };

    const open = await attack(shoot, 'control');
    assert.deepEqual(
      open.filter((a) => a.tcp !== 0 || a.ping !== 0),
      [],
      'control: every connection and echo request answered',
    );
    await sinks.podUdp.waitFor((l) => l === `${SHOOT_TAP_V4} control`);
    const control = Object.fromEntries(Object.entries(sinks).map(([name, sink]) => [name, [...sink.heard].sort()]));
    assert.deepEqual(control, {
      kapiTcp: [SHOOT_TAP, SHOOT_TAP_V4].sort(),
      kapiUdp: [`${SHOOT_TAP} control`, `${SHOOT_TAP_V4} control`].sort(),
      podTcp: [SHOOT_TAP, SHOOT_TAP_V4].sort(),
      podUdp: [`${SHOOT_TAP} control`, `${SHOOT_TAP_V4} control`].sort(),
    });

    const heardBeforeReference = Object.values(sinks).map((sink) => sink.heard.length);
    await firewall.apply(
      TAG,
      rules().filter((rule) => rule.chain === 'INPUT'),
    );
    const reference = await attack(shoot, 'reference');
    assert.deepEqual(
      reference.filter((a) => a.target.startsWith('10.') || a.target.startsWith('fd00:')).map((a) => a.tcp),
      [0, 0],
      'reference (INPUT only): connections through the pod into the seed pod network',
    );
    await sinks.podUdp.waitFor((l) => l === `${SHOOT_TAP_V4} reference`);
    await sinks.podUdp.waitFor((l) => l === `${SHOOT_TAP} reference`);
    const [kapiTcp, kapiUdp] = [sinks.kapiTcp, sinks.kapiUdp].map((sink, i) => sink.heard.slice(heardBeforeReference[i]));
    assert.deepEqual({ kapiTcp, kapiUdp }, { kapiTcp: [], kapiUdp: [] }, 'reference (INPUT only): the pod itself is closed');

    const heardBefore = Object.values(sinks).map((sink) => sink.heard.length);
    await firewall.apply(TAG, rules());
    const closed = await attack(shoot, 'with-rules');
    assert.deepEqual(
      closed.filter((a) => a.tcp !== 2),
      [],
      'every handshake silently dropped',
    );
    assert.deepEqual(
      closed.filter((a) => a.ping === 0),
      [],
      'no echo request answered',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      Object.values(sinks).flatMap((sink, i) => sink.heard.slice(heardBefore[i])),
      [],
      'what reached the pod or the seed pod with the rules',
    );
  });

  it('with the rules the pod still gets the replies to what it opened through the tap, in both families', async () => {
    const { shoot, middle: kapi, firewall, start } = lab();
    await firewall.apply(TAG, rules());
    await start(shoot, TCP_PEER, ['listen', PORT]);
    await start(shoot, UDP_PEER, ['echo', PORT]);
    for (const target of [SHOOT_TAP, SHOOT_TAP_V4]) {
      assert.equal((await runPeer(kapi, TCP_PEER, ['connect', target, PORT, '3000'])).status, 0, `TCP to ${target}`);
      const reply = await runPeer(kapi, UDP_PEER, ['send', target, PORT, 'from-the-pod', '3000']);
      assert.equal(reply.status, 0, `no UDP reply from ${target}`);
      assert.equal(reply.stdout.trim(), `${target} from-the-pod`);
    }
  });
});
