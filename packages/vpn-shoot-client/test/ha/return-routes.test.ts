import { strict as assert } from 'node:assert';
import { DEFAULT_VPN_NETWORK, haPoolStart, Ip } from '@vpn/common';
import { ReturnRouteTable, type Sighting } from '../../src/ha/return-routes';
import { ACTIVE_SILENCE_MS, RETURN_ROUTE_EXPIRY_MS } from '../../src/ha/timing';

const pod = Ip.parse('10.200.0.10');
const sender = (server: number, host = 1n): Ip => Ip.fromValue('IPv6', haPoolStart(DEFAULT_VPN_NETWORK, server).value + host);

function sighting(server: number, epoch: number, active: boolean, extra: Partial<Sighting> = {}): Sighting {
  return { pod, server, sender: sender(server), order: { boot: 100, epoch }, active, ...extra };
}

function routes(table: ReturnRouteTable, now: number): string[] {
  return table.resolve(now).map((r) => `${r.pod.toString()} via ${r.via.toString()} dev tap${r.server}`);
}

describe('ha return routes (shoot side)', () => {
  it('routes the pod along the path marked active', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(0, 1, false), 0);
    table.observe(sighting(1, 1, true), 0);
    assert.deepEqual(routes(table, 10), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
  });

  it('follows a switch at once and ignores older announcements arriving late', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(0, 1, true), 0);
    table.observe(sighting(1, 1, false), 0);
    assert.deepEqual(routes(table, 0), ['10.200.0.10 via fd8f:6d53:b97a:1::100:1001 dev tap0']);
    assert.equal(table.observe(sighting(1, 2, true), 100), true);
    assert.deepEqual(routes(table, 100), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
    assert.equal(table.observe(sighting(0, 1, true), 150), false, 'stale "active" from before the switch');
    assert.deepEqual(routes(table, 150), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
  });

  it('a restarted path controller (newer boot, epoch from 0) outranks the old one', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(0, 7, true), 0);
    assert.equal(table.observe(sighting(1, 1, true, { order: { boot: 200, epoch: 1 } }), 10), true);
    assert.deepEqual(routes(table, 10), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
    assert.equal(table.observe(sighting(0, 7, true), 20), false, 'the old boot');
  });

  it('falls back to the freshest path after a second of silence on the active one, not before', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(0, 1, true), 0);
    for (let t = 100; t <= 1500; t += 100) {
      table.observe(sighting(1, 1, false), t);
      table.observe(sighting(2, 1, false), t - 50);
    }
    assert.deepEqual(routes(table, ACTIVE_SILENCE_MS), ['10.200.0.10 via fd8f:6d53:b97a:1::100:1001 dev tap0']);
    assert.deepEqual(routes(table, ACTIVE_SILENCE_MS + 1), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
  });

  it('without an active path here (the seed routes via another shoot client) the route is sticky while heard', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(1, 1, false), 0);
    assert.deepEqual(routes(table, 0), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
    for (let t = 100; t <= 900; t += 100) {
      table.observe(sighting(0, 1, false), t);
      table.observe(sighting(1, 1, false), t - 10);
      assert.deepEqual(routes(table, t), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1'], `t=${t}`);
    }
  });

  it('balance-rr: several active paths, the route stays on one of them', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(1, 1, true), 0);
    table.observe(sighting(0, 1, true), 0);
    assert.deepEqual(routes(table, 0), ['10.200.0.10 via fd8f:6d53:b97a:1::100:1001 dev tap0']);
    table.observe(sighting(1, 2, true), 100);
    assert.deepEqual(routes(table, 100), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1'], 'epoch 2: tap0 no longer active');
    table.observe(sighting(0, 3, true), 200);
    table.observe(sighting(1, 3, true), 200);
    assert.deepEqual(routes(table, 200), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1'], 'sticky among active');
  });

  it('moves the route when the seed client got a new address on the same path', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(0, 1, true), 0);
    table.observe(sighting(0, 1, true, { sender: sender(0, 2n) }), 100);
    assert.deepEqual(routes(table, 100), ['10.200.0.10 via fd8f:6d53:b97a:1::100:1002 dev tap0']);
  });

  it('keeps one route per pod, IPv6 pods too', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(0, 1, true), 0);
    table.observe(sighting(1, 4, true, { pod: Ip.parse('fd00:10:200::a'), order: { boot: 300, epoch: 4 } }), 0);
    assert.deepEqual(routes(table, 0), [
      '10.200.0.10 via fd8f:6d53:b97a:1::100:1001 dev tap0',
      'fd00:10:200::a via fd8f:6d53:b97a:1::101:1001 dev tap1',
    ]);
  });

  it('expires silent paths, then the pod', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(0, 1, true), 0);
    table.observe(sighting(1, 1, false), 1000);
    assert.deepEqual(routes(table, 1000), ['10.200.0.10 via fd8f:6d53:b97a:1::100:1001 dev tap0']);
    assert.deepEqual(routes(table, RETURN_ROUTE_EXPIRY_MS), ['10.200.0.10 via fd8f:6d53:b97a:1::100:1001 dev tap0']);
    assert.deepEqual(routes(table, RETURN_ROUTE_EXPIRY_MS + 1), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
    assert.deepEqual(routes(table, RETURN_ROUTE_EXPIRY_MS + 1001), []);
    assert.equal(table.observe(sighting(0, 1, true), RETURN_ROUTE_EXPIRY_MS + 2000), true, 'a forgotten pod starts over');
  });
});
