import { strict as assert } from 'node:assert';
import { silentLogger } from '@vpn/common';
import { RouteSync } from '../../src/ha/route-sync';
import { FakeNetwork } from './support/fake-network';

const viaTap0 = { dst: '100.64.0.0/13', dev: 'tap0', via: 'fd8f:6d53:b97a:1::100:b00' };
const viaTap1 = { dst: '100.64.0.0/13', dev: 'tap1', via: 'fd8f:6d53:b97a:1::101:b00' };

describe('ha route sync', () => {
  it('installs only what changed and deletes what is no longer wanted', async () => {
    const network = new FakeNetwork(['tap0', 'tap1']);
    const sync = new RouteSync(network, silentLogger);
    sync.setDesired([viaTap0, { ...viaTap0, dst: 'fd00:64::/64' }]);
    await sync.sync();
    sync.setDesired([viaTap1]);
    await sync.sync();
    await sync.sync();
    assert.deepEqual(network.replaced, [
      '100.64.0.0/13 via fd8f:6d53:b97a:1::100:b00 dev tap0',
      'fd00:64::/64 via fd8f:6d53:b97a:1::100:b00 dev tap0',
      '100.64.0.0/13 via fd8f:6d53:b97a:1::101:b00 dev tap1',
    ]);
    assert.deepEqual([...network.routes.keys()], ['100.64.0.0/13']);
    assert.equal(sync.inSync, true);
  });

  it('retries what failed and reports it meanwhile', async () => {
    const network = new FakeNetwork(['tap0']);
    const sync = new RouteSync(network, silentLogger);
    sync.setDesired([viaTap1]);
    await sync.sync();
    assert.equal(sync.inSync, false);
    assert.match(sync.lastFailure ?? '', /tap1 not found/);
    network.addLink('tap1');
    await sync.sync();
    assert.equal(sync.isInstalled(viaTap1), true);
    assert.equal(sync.lastFailure, undefined);
  });

  it('installs again the routes of a recreated device', async () => {
    const network = new FakeNetwork(['tap0', 'tap1']);
    const sync = new RouteSync(network, silentLogger);
    sync.setDesired([viaTap0, { ...viaTap1, dst: 'fd00:64::/64' }]);
    await sync.sync();
    network.recreateLink('tap0');
    sync.invalidateDevice('tap0');
    await sync.sync();
    assert.equal(network.route('100.64.0.0/13'), '100.64.0.0/13 via fd8f:6d53:b97a:1::100:b00 dev tap0');
    assert.equal(network.replaced.length, 3, 'the route through tap1 was not touched');
  });

  it('runs one sync at a time and catches up with changes made meanwhile', async () => {
    const network = new FakeNetwork(['tap0', 'tap1']);
    const sync = new RouteSync(network, silentLogger);
    sync.setDesired([viaTap0]);
    const first = sync.sync();
    sync.setDesired([viaTap1]);
    const second = sync.sync();
    await Promise.all([first, second]);
    assert.equal(network.route('100.64.0.0/13'), '100.64.0.0/13 via fd8f:6d53:b97a:1::101:b00 dev tap1');
    assert.equal(sync.inSync, true);
  });
});
