import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { requireRoot } from '../support/privileges';
import { TestNetns } from '../support/netns';

const FIXTURE = path.resolve(__dirname, 'fixtures/tap-devices-call.js');

describe('system: persistent tap devices [root]', function () {
  let ns: TestNetns;
  before(function () {
    requireRoot(this);
    ns = TestNetns.create('taps');
  });
  after(() => ns?.destroy());

  it('creates missing taps once and keeps existing ones', () => {
    const first = ns.exec(process.execPath, [FIXTURE, 'tap0', 'tap1']);
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), ['tap0', 'tap1']);
    const index = ns.sh('cat /sys/class/net/tap0/ifindex');
    assert.match(ns.sh('ip -d link show tap0'), /tun type tap .*persist on/s);
    const second = ns.exec(process.execPath, [FIXTURE, 'tap0', 'tap1']);
    assert.deepEqual(JSON.parse(second.stdout), []);
    assert.equal(ns.sh('cat /sys/class/net/tap0/ifindex'), index);
  });
});
