import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { requireRoot } from '@vpn/common/dist/test/support/privileges';
import { TestNetns } from '@vpn/common/dist/test/support/netns';

const LAUNCHER = path.resolve(__dirname, '../../bin/vpn-shoot-client');
const SEND_RA = path.resolve(__dirname, '../../test/fixtures/send-router-advertisement.py');
const HOSTILE_PREFIX = '2001:db8:bad::';

/** A kube-apiserver pod's environment for its OpenVPN client of server 0 (HA seed client). */
const SEED_CLIENT_ENV = {
  PATH: process.env.PATH ?? '',
  IS_HA: 'true',
  IS_SHOOT_CLIENT: 'false',
  HA_VPN_SERVERS: '1',
  HA_VPN_CLIENTS: '1',
  VPN_SERVER_INDEX: '0',
  POD_NAME: 'kube-apiserver-7d9f-12345',
  IP_FAMILIES: 'IPv4',
  ENDPOINT: 'vpn-seed-server-0',
  SEED_POD_NETWORK: '10.96.0.0/11',
  SHOOT_POD_NETWORKS: '100.96.0.0/11',
  SHOOT_SERVICE_NETWORKS: '100.64.0.0/13',
};

/**
 * The attack: a vpn-shoot pod sends a router advertisement into its tap; the server switches it to every
 * kube-apiserver pod's tap. Here the kube-apiserver pod's tap0 is one end of a veth pair (the rules and
 * sysctls match it by name), the hostile shoot holds the other end. The control shows the advertisement
 * takes effect on a pod without our setup; then each of our two layers (sysctls, rules) must stop it alone.
 */
describe('kube-apiserver pod [root]: a router advertisement from the shoot through a tap', function () {
  this.timeout(30_000);
  let kapi: TestNetns | undefined;
  let shoot: TestNetns | undefined;
  let dir: string | undefined;

  before(function () {
    requireRoot(this);
  });
  afterEach(() => {
    kapi?.destroy();
    shoot?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    kapi = shoot = dir = undefined;
  });

  function pair(): { kapi: TestNetns; shoot: TestNetns } {
    kapi = TestNetns.create('rakapi');
    shoot = TestNetns.create('rashoot');
    for (const ns of [kapi, shoot]) ns.sh('sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0');
    shoot.sh(`ip link add eth0 type veth peer name tap0 netns ${kapi.name}`);
    shoot.sh('ip link set eth0 up');
    return { kapi, shoot };
  }

  function ourSetup(ns: TestNetns): void {
    dir = mkdtempSync(path.join(tmpdir(), 'ra-kernel-'));
    for (const args of [['setup'], ['--config-file', `${dir}/client.conf`, '--secrets-dir', `${dir}/secrets`]]) {
      const r = ns.exec(process.execPath, [LAUNCHER, ...args], SEED_CLIENT_ENV);
      assert.equal(r.status, 0, r.stderr);
    }
    ns.sh('ip link set tap0 up');
  }

  /** Sends the advertisement a few times and reports what the pod took from it within `ms`. */
  async function attack(ns: TestNetns, from: TestNetns, ms: number): Promise<{ route: string; address: string }> {
    const deadline = Date.now() + ms;
    let taken = { route: '', address: '' };
    while (Date.now() < deadline) {
      from.sh(`python3 ${SEND_RA} eth0 ${HOSTILE_PREFIX}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      taken = {
        route: ns.sh('ip -6 route show default').trim(),
        address: ns.sh(`ip -6 addr show dev tap0 | grep ${HOSTILE_PREFIX.slice(0, -1)} || true`).trim(),
      };
      if (taken.route !== '' && taken.address !== '') break;
    }
    return taken;
  }

  it('control: without our setup the pod takes a default route and an address from the shoot', async () => {
    const { kapi: pod, shoot: hostile } = pair();
    pod.sh('ip link set tap0 up');
    const taken = await attack(pod, hostile, 5_000);
    assert.match(taken.route, /^default via fe80::\S+ dev tap0 proto ra/);
    assert.match(taken.address, /inet6 2001:db8:bad:0:/);
  });

  it('with setup and the root command nothing changes in the pod', async () => {
    const { kapi: pod, shoot: hostile } = pair();
    ourSetup(pod);
    assert.deepEqual(await attack(pod, hostile, 2_000), { route: '', address: '' });
  });

  it('the rules alone stop it (tap0 accepting router advertisements again)', async () => {
    const { kapi: pod, shoot: hostile } = pair();
    ourSetup(pod);
    pod.sh('sysctl -qw net.ipv6.conf.tap0.accept_ra=1');
    assert.deepEqual(await attack(pod, hostile, 2_000), { route: '', address: '' });
  });

  it('the sysctls alone stop it (every ip6tables rule flushed)', async () => {
    const { kapi: pod, shoot: hostile } = pair();
    ourSetup(pod);
    pod.sh('ip6tables -F INPUT; ip6tables-legacy -F INPUT 2>/dev/null || true; ip6tables-nft -F INPUT 2>/dev/null || true');
    assert.deepEqual(await attack(pod, hostile, 2_000), { route: '', address: '' });
  });
});
