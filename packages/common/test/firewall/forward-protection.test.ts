import { strict as assert } from 'node:assert';
import type { BackendName } from '../../src/firewall/backend';
import { seedServerFirewallRules, seedServerFirewallTag } from '../../src/firewall/seed-server-rules';
import { Cidr } from '../../src/net/cidr';
import type { TestNetns } from '../support/netns';
import { iptablesIn } from './netns-iptables';
import { poll, UDP_PEER, type Peer } from './peer-process';
import { describeRoutedPodLab } from './routed-pod-lab';

const TAG = seedServerFirewallTag('tun0');
const SEED_POD_NETWORK = Cidr.parse('10.96.0.0/16');
/** The seed pod 10.96.0.2 as the shoot sees it through `241.0.0.0/8 -> 10.96.0.0/16`. */
const POD_AS_SEEN_BY_SHOOT = '241.0.0.2';

/**
 * shoot [s0] --- [tun0] server (ip_forward=1) [eth0] --- [eth0] seed pod
 * 192.0.2.2       192.0.2.1              10.96.0.1         10.96.0.2
 * The "tun0" is a veth: what matters is its name, which the rules match on.
 */
function buildTopology(shoot: TestNetns, server: TestNetns, pod: TestNetns): void {
  server.sh(`ip link add tun0 type veth peer name s0 netns ${shoot.name}`);
  server.sh(`ip link add eth0 type veth peer name eth0 netns ${pod.name}`);
  server.sh('ip addr add 192.0.2.1/24 dev tun0 && ip link set tun0 up && ip addr add 10.96.0.1/24 dev eth0 && ip link set eth0 up');
  server.sh('sysctl -q -w net.ipv4.ip_forward=1');
  shoot.sh('ip addr add 192.0.2.2/24 dev s0 && ip link set s0 up && ip route add 241.0.0.0/8 via 192.0.2.1');
  pod.sh('ip addr add 10.96.0.2/24 dev eth0 && ip link set eth0 up && ip route add default via 10.96.0.1');
}

function sendFrom(ns: TestNetns, args: string[]): { status: number; stdout: string } {
  return ns.exec(process.execPath, [UDP_PEER, 'send', ...args]);
}

/** Packets our FORWARD DROP rule for tun0 has counted in the server namespace. */
function forwardDrops(server: TestNetns, backend: BackendName): number {
  const line = iptablesIn(server, backend, 4, '-v -S FORWARD')
    .split('\n')
    .find((l) => l.includes(`--comment "${TAG}"`) && l.endsWith('-j DROP'));
  return Number(/ -c (\d+) /.exec(line ?? '')?.[1] ?? 0);
}

describeRoutedPodLab('seed server forward protection [root]', 'fw', buildTopology, (lab) => {
  const listen = (ns: TestNetns, args: string[]): Promise<Peer> => lab().start(ns, UDP_PEER, args);

  it('the reference rules (INPUT only) let a datagram the shoot sends to 241/8 into the seed pod network', async () => {
    const { firewall, shoot, pod } = lab();
    const referenceRules = seedServerFirewallRules({ device: 'tun0', seedPodNetwork: SEED_POD_NETWORK }).filter(
      (r) => r.chain !== 'FORWARD',
    );
    await firewall.apply(TAG, referenceRules);
    const listener = await listen(pod, ['listen', '5555']);
    assert.equal(sendFrom(shoot, [POD_AS_SEEN_BY_SHOOT, '5555', 'from-the-shoot']).status, 0);
    assert.equal(await listener.waitFor((line) => line.endsWith('from-the-shoot')), '192.0.2.2 from-the-shoot');
  });

  it('our rules drop it in FORWARD, and the seed pod never sees it', async () => {
    const { firewall, shoot, middle: server, pod, backend } = lab();
    await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: SEED_POD_NETWORK }));
    const listener = await listen(pod, ['listen', '5555']);
    assert.equal(sendFrom(shoot, [POD_AS_SEEN_BY_SHOOT, '5555', 'from-the-shoot']).status, 0);
    // The DROP counter proves the datagram was mapped and routed towards the pod, then stopped.
    await poll(() => (forwardDrops(server, backend) >= 1 ? true : undefined), 3000, 'the FORWARD DROP rule never counted the datagram');
    assert.deepEqual(listener.lines, ['ready']);
  });

  it('our rules still let replies through to a seed pod that opened the exchange', async () => {
    const { firewall, shoot, pod } = lab();
    await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: SEED_POD_NETWORK }));
    await listen(shoot, ['echo', '7000']);
    const reply = sendFrom(pod, ['192.0.2.2', '7000', 'from-the-seed', '3000']);
    assert.equal(reply.status, 0, 'no reply reached the seed pod');
    assert.equal(reply.stdout.trim(), '192.0.2.2 from-the-seed');
  });
});
