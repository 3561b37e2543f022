import assert from 'node:assert/strict';
import { requireRoot } from '../support/privileges';
import { TestNetns } from '../support/netns';
import { runFixture, type FixtureResult } from '../netlink/run-fixture';

const detect = (ns: TestNetns): FixtureResult<number> =>
  runFixture<FixtureResult<number>>(ns, 'system/fixtures/system-calls.js', { call: 'detectTunnelMtu' });

describe('[root] tunnel MTU detection in a network namespace', function () {
  let ns: TestNetns;

  before(function () {
    requireRoot(this);
  });

  beforeEach(() => {
    ns = TestNetns.create('mtu');
    ns.sh(
      [
        'ip link add va type veth peer name vb',
        'ip addr add 192.0.2.1/24 dev va',
        'ip -6 addr add fd00:1::1/64 dev va nodad',
        'ip link set va up && ip link set vb up',
      ].join(' && '),
    );
  });

  afterEach(() => ns?.destroy());

  it('follows the default route to its device: MTU 1400 gives 1280 (floor), 9000 gives 8870', () => {
    ns.sh('ip link set va mtu 1400 && ip route add default via 192.0.2.2 dev va');
    assert.deepEqual(detect(ns), { ok: 1280 });
    ns.sh('ip link set vb mtu 9000 && ip link set va mtu 9000');
    assert.deepEqual(detect(ns), { ok: 8870 });
  });

  it('uses an IPv6 default route when there is no IPv4 one', () => {
    ns.sh('ip link set va mtu 1500 && ip -6 route add default via fd00:1::2 dev va');
    assert.deepEqual(detect(ns), { ok: 1370 });
  });

  it('fails with the reference message without a default route', () => {
    assert.deepEqual(detect(ns), {
      error: { name: 'Error', message: 'failed to detect tunnel MTU: failed to find default route' },
    });
  });
});
