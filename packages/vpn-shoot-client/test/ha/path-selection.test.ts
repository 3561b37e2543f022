import { strict as assert } from 'node:assert';
import { Cidr, DEFAULT_VPN_NETWORK, haShootClientAddress } from '@vpn/common';
import type { PathId } from '../../src/ha/path';
import { ActivePathSelector } from '../../src/ha/path-selection';
import { shootNetworkRoutes } from '../../src/ha/seed-routes';

const p = (server: number, client: number): PathId => ({ server, client });

describe('ha active path selection', () => {
  it('starts on the lowest shoot client, then the lowest server', () => {
    const selector = new ActivePathSelector('active-backup');
    assert.equal(selector.update([p(1, 1), p(1, 0), p(0, 1)]), true);
    assert.deepEqual(selector.selection, { epoch: 1, active: [p(1, 0)] });
  });

  it('is sticky: a preferred path coming back does not take over (no flap back)', () => {
    const selector = new ActivePathSelector('active-backup');
    selector.update([p(0, 0), p(1, 0)]);
    selector.update([p(1, 0)]);
    assert.deepEqual(selector.selection, { epoch: 2, active: [p(1, 0)] });
    assert.equal(selector.update([p(0, 0), p(1, 0)]), false);
    assert.deepEqual(selector.selection, { epoch: 2, active: [p(1, 0)] });
  });

  it('switches to the same shoot client on another server first, deterministically', () => {
    const selector = new ActivePathSelector('active-backup');
    selector.update([p(0, 1)]);
    selector.update([p(0, 0), p(2, 1), p(1, 1), p(1, 0), p(0, 1)]);
    assert.deepEqual(selector.selection.active, [p(0, 1)], 'still healthy: kept');
    selector.update([p(0, 0), p(2, 1), p(1, 1), p(1, 0)]);
    assert.deepEqual(selector.selection.active, [p(1, 1)], 'same shoot client, lowest server');
    selector.update([p(0, 0), p(1, 0)]);
    assert.deepEqual(selector.selection.active, [p(0, 0)], 'no path to client 1 left: lowest client, lowest server');
  });

  it('keeps the last choice when no path is healthy, and switches once one returns', () => {
    const selector = new ActivePathSelector('active-backup');
    selector.update([p(0, 0)]);
    assert.equal(selector.update([]), false);
    assert.deepEqual(selector.selection, { epoch: 1, active: [p(0, 0)] });
    assert.equal(selector.update([p(1, 0)]), true);
    assert.deepEqual(selector.selection, { epoch: 2, active: [p(1, 0)] });
  });

  it('balance-rr: every healthy path, each change of the set a new epoch', () => {
    const selector = new ActivePathSelector('balance-rr');
    selector.update([p(1, 0), p(0, 0)]);
    assert.deepEqual(selector.selection, { epoch: 1, active: [p(0, 0), p(1, 0)] });
    assert.equal(selector.update([p(0, 0), p(1, 0)]), false, 'same set in another order');
    selector.update([p(1, 0)]);
    assert.deepEqual(selector.selection, { epoch: 2, active: [p(1, 0)] });
    selector.update([p(1, 0), p(0, 1), p(0, 0)]);
    assert.deepEqual(selector.selection, { epoch: 3, active: [p(0, 0), p(1, 0), p(0, 1)] });
    assert.equal(selector.update([]), false);
    assert.equal(selector.selection.active.length, 3);
  });
});

describe('ha seed-side routes', () => {
  const networks = [Cidr.parse('100.64.0.0/13'), Cidr.parse('fd00:64::/64')];
  const address = (path: PathId) => haShootClientAddress(DEFAULT_VPN_NETWORK, path.server, path.client);

  it('routes IPv4 and IPv6 shoot networks via the shoot client address on the active path', () => {
    assert.deepEqual(shootNetworkRoutes(networks, [p(1, 0)], address), [
      { dst: '100.64.0.0/13', dev: 'tap1', via: 'fd8f:6d53:b97a:1::101:b00' },
      { dst: 'fd00:64::/64', dev: 'tap1', via: 'fd8f:6d53:b97a:1::101:b00' },
    ]);
  });

  it('balance-rr: one multipath route over every active path', () => {
    const hops = [
      { dev: 'tap0', via: 'fd8f:6d53:b97a:1::100:b00' },
      { dev: 'tap1', via: 'fd8f:6d53:b97a:1::101:b00' },
      { dev: 'tap0', via: 'fd8f:6d53:b97a:1::100:b01' },
    ];
    assert.deepEqual(shootNetworkRoutes(networks, [p(0, 0), p(1, 0), p(0, 1)], address), [
      { dst: '100.64.0.0/13', nexthops: hops },
      { dst: 'fd00:64::/64', nexthops: hops },
    ]);
  });

  it('no active path, no routes', () => {
    assert.deepEqual(shootNetworkRoutes(networks, [], address), []);
  });
});
