import assert from 'node:assert/strict';
import { requireRoot } from '../support/privileges';
import { TestNetns } from '../support/netns';
import { okValue, runFixture, type FixtureResult } from '../netlink/run-fixture';

const removeStale = (ns: TestNetns, device: string): string[] =>
  okValue(runFixture<FixtureResult<string[]>>(ns, 'system/fixtures/system-calls.js', { call: 'removeStaleTunnelAddresses', device }));

describe('[root] stale tunnel address cleanup in a network namespace', function () {
  let ns: TestNetns;

  before(function () {
    requireRoot(this);
  });

  beforeEach(() => {
    ns = TestNetns.create('tundev');
  });

  afterEach(() => ns?.destroy());

  it('clears the IPv6 addresses a previous OpenVPN left on a persistent tun0, idempotently', () => {
    ns.sh(
      [
        'openvpn --mktun --dev tun0 >/dev/null',
        'ip link set tun0 up',
        'ip -6 addr add fd8f:6d53:b97a:1::1000/96 dev tun0 nodad',
        'ip -6 addr add fd8f:6d53:b97a:2::1/64 dev tun0',
        'ip addr add 10.8.0.2/24 dev tun0',
      ].join(' && '),
    );
    assert.deepEqual(removeStale(ns, 'tun0').sort(), ['fd8f:6d53:b97a:1::1000/96', 'fd8f:6d53:b97a:2::1/64']);
    assert.equal(ns.sh('ip -6 addr show dev tun0'), '');
    assert.doesNotMatch(ns.sh('ip link show tun0'), /<[^>]*\bUP\b/);
    assert.match(ns.sh('ip -4 addr show dev tun0'), /10\.8\.0\.2\/24/, 'IPv4 addresses are not ours to remove');
    assert.deepEqual(removeStale(ns, 'tun0'), []);
  });

  it('deletes the addresses itself, link-local included, where the kernel keeps them on link down', () => {
    ns.sh(
      [
        'ip link add va type veth peer name vb',
        'sysctl -qw net.ipv6.conf.va.keep_addr_on_down=1',
        'ip -6 addr add fd00:1::1/64 dev va nodad',
        'ip link set va up && ip link set vb up',
      ].join(' && '),
    );
    const linkLocal = /inet6 (fe80::[0-9a-f:]+\/64)/.exec(ns.sh('ip -6 addr show dev va'))?.[1];
    assert.ok(linkLocal, 'va has a link-local address');
    assert.deepEqual(removeStale(ns, 'va').sort(), ['fd00:1::1/64', linkLocal].sort());
    assert.equal(ns.sh('ip -6 addr show dev va'), '');
  });

  it('succeeds when the device does not exist', () => {
    assert.deepEqual(removeStale(ns, 'tun0'), []);
  });
});
