import { strict as assert } from 'node:assert';
import { DEFAULT_VPN_NETWORK, haPoolStart, Ip } from '@vpn/common';
import { ReturnRouteTable, type Sighting } from '../../src/ha/return-routes';
import { EVICTABLE_AFTER_MS, MAX_RETURN_ROUTES } from '../../src/ha/limits';
import { ACTIVE_SILENCE_MS, INSTANCE_TAKEOVER_MS, RETURN_ROUTE_EXPIRY_MS } from '../../src/ha/timing';
import { INSTANCE_A, INSTANCE_B } from './support/ids';

const pod = Ip.parse('10.200.0.10');
const sender = (server: number, host = 1n): Ip => Ip.fromValue('IPv6', haPoolStart(DEFAULT_VPN_NETWORK, server).value + host);

function sighting(server: number, epoch: number, active: boolean, extra: Partial<Sighting> = {}): Sighting {
  return { pod, server, sender: sender(server), order: { instance: INSTANCE_A, epoch }, active, ...extra };
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
    assert.equal(table.observe(sighting(1, 2, true), 100), 'accepted');
    assert.deepEqual(routes(table, 100), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
    assert.equal(table.observe(sighting(0, 1, true), 150), 'stale', 'stale "active" from before the switch');
    assert.deepEqual(routes(table, 150), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
  });

  it('a restarted path controller (another instance, epoch from 0) takes over once the old one is silent', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(0, 7, true), 0);
    const restarted = sighting(1, 1, true, { order: { instance: INSTANCE_B, epoch: 1 } });
    assert.equal(table.observe(restarted, INSTANCE_TAKEOVER_MS - 1), 'foreign', 'the old instance spoke a moment ago');
    assert.deepEqual(routes(table, INSTANCE_TAKEOVER_MS - 1), ['10.200.0.10 via fd8f:6d53:b97a:1::100:1001 dev tap0']);
    assert.equal(table.observe(restarted, INSTANCE_TAKEOVER_MS), 'accepted');
    assert.deepEqual(routes(table, INSTANCE_TAKEOVER_MS), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
    assert.equal(table.observe(sighting(0, 7, true), INSTANCE_TAKEOVER_MS + 10), 'foreign', 'the old instance, late');
  });

  it('a far-future epoch pins nothing: its instance loses the pod a second after it falls silent', () => {
    const table = new ReturnRouteTable();
    table.observe(sighting(0, Number.MAX_SAFE_INTEGER, true), 0);
    assert.equal(table.observe(sighting(0, 1, true), 10), 'stale', 'within the instance the epoch orders');
    assert.equal(table.observe(sighting(1, 0, true, { order: { instance: INSTANCE_B, epoch: 0 } }), INSTANCE_TAKEOVER_MS), 'accepted');
    assert.deepEqual(routes(table, INSTANCE_TAKEOVER_MS), ['10.200.0.10 via fd8f:6d53:b97a:1::101:1001 dev tap1']);
  });

  it(`holds at most ${MAX_RETURN_ROUTES} pods; a new pod displaces only one silent for ${EVICTABLE_AFTER_MS} ms`, () => {
    const table = new ReturnRouteTable();
    const podAt = (i: number): Ip => Ip.fromValue('IPv4', Ip.parse('10.200.0.0').value + BigInt(i));
    for (let i = 0; i < MAX_RETURN_ROUTES; i++) assert.equal(table.observe(sighting(0, 1, true, { pod: podAt(i) }), i), 'accepted');
    const flood = sighting(0, 1, true, { pod: Ip.parse('10.201.0.1') });
    assert.equal(table.observe(flood, 1000), 'full');
    assert.equal(table.size, MAX_RETURN_ROUTES);
    assert.equal(table.observe(flood, EVICTABLE_AFTER_MS), 'accepted', 'pod 0, silent since 0, makes room');
    assert.equal(table.size, MAX_RETURN_ROUTES);
    assert.equal(
      routes(table, EVICTABLE_AFTER_MS).some((r) => r.startsWith('10.200.0.0 ')),
      false,
    );
    assert.equal(table.observe(sighting(0, 1, true, { pod: podAt(0) }), EVICTABLE_AFTER_MS), 'full', 'pod 1 spoke within the last 5 s');
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
    table.observe(sighting(1, 4, true, { pod: Ip.parse('fd00:10:200::a'), order: { instance: INSTANCE_B, epoch: 4 } }), 0);
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
    assert.equal(table.observe(sighting(0, 1, true), RETURN_ROUTE_EXPIRY_MS + 2000), 'accepted', 'a forgotten pod starts over');
  });
});
