import { strict as assert } from 'node:assert';
import { haPlan, haServerClusterName } from '../lib/ha-plan';
import { cpuTicksFromStat, rssKbFromStatus, usageBetween } from '../lib/ha-usage';
import { allPaths, metricSample, readControllerLog, returnRoutes, routesInSync } from '../lib/ha-verdicts';

describe('HA e2e lib: plan, controller logs, process usage (unprivileged)', () => {
  it('gives every server and pod its own seed address and routes the ingress by server', () => {
    const plan = haPlan({ name: 'x', shootClients: 2, seedClients: 2, overlap: false });
    assert.deepEqual(
      plan.servers.map((a) => a.map((x) => x.address)),
      [
        ['10.96.0.20', 'fd00:10::20'],
        ['10.96.0.21', 'fd00:10::21'],
      ],
    );
    assert.deepEqual(
      plan.seedClients.map((a) => a[0].address),
      ['10.96.0.30', '10.96.0.31'],
    );
    assert.deepEqual(
      plan.shootClients.map((a) => a.map((x) => x.address)),
      [
        ['100.96.1.2', 'fd00:96:1::2'],
        ['100.96.1.3', 'fd00:96:1::3'],
      ],
    );
    assert.equal(haServerClusterName(plan, 1), 'outbound|1194||vpn-seed-server-1.shoot--e2e--x.svc.cluster.local');
    assert.equal(haPlan({ name: 'y', shootClients: 1, seedClients: 1, overlap: true }).seedPodNetwork, '100.96.0.0/11');
  });

  it('reads verdicts, switches and installed routes from a path controller log', () => {
    const log = [
      'Tue Nov 24 00:35:53 2026 info path controller started cmd=path-controller pod_ip=10.96.0.30 shoot_clients=2 taps=tap0,tap1 mode=active-backup routes=100.96.0.0/11,fd00:96::/48',
      'Tue Nov 24 00:35:54 2026 info path healthy cmd=path-controller path=tap0/client0',
      'Tue Nov 24 00:35:54 2026 info active path changed cmd=path-controller from=none to=tap0/client0 epoch=1',
      'Tue Nov 24 00:35:54 2026 info route installed cmd=path-controller route="100.96.0.0/11 via fd8f:6d53:b97a:1::100:b00 dev tap0"',
      'Tue Nov 24 00:35:54 2026 info route installed cmd=path-controller route="fd00:96::/48 via fd8f:6d53:b97a:1::100:b00 dev tap0"',
      'Tue Nov 24 00:35:54 2026 info path healthy cmd=path-controller path=tap1/client0',
      'Tue Nov 24 00:35:56 2026 warn path dead cmd=path-controller path=tap0/client0 misses=3',
      'Tue Nov 24 00:35:56 2026 info active path changed cmd=path-controller from=tap0/client0 to=tap1/client0,tap1/client1 epoch=2',
      'Tue Nov 24 00:35:56 2026 info route installed cmd=path-controller route="100.96.0.0/11 nexthop via fd8f:6d53:b97a:1::101:b00 dev tap1 nexthop via fd8f:6d53:b97a:1::101:b01 dev tap1"',
    ];
    const view = readControllerLog(log);
    assert.equal(view.podIp, '10.96.0.30');
    assert.deepEqual([...view.healthy], ['tap1/client0']);
    assert.deepEqual([...view.dead], ['tap0/client0']);
    assert.deepEqual(view.active, ['tap1/client0', 'tap1/client1']);
    assert.equal(view.switches.length, 2);
    assert.equal(routesInSync(view), false, 'fd00:96::/48 not yet installed for the new paths');
    assert.equal(routesInSync(readControllerLog(log.slice(0, 5))), true);
    assert.deepEqual(allPaths(2, 2), ['tap0/client0', 'tap1/client0', 'tap0/client1', 'tap1/client1']);
    assert.deepEqual(
      [...returnRoutes(['x info route installed cmd=tunnel-controller route="10.96.0.30/32 via fd8f:6d53:b97a:1::100:1001 dev tap0"'])],
      ['10.96.0.30/32'],
    );
  });

  it('reads one sample of a /metrics scrape by its name and labels', () => {
    const text = ['# TYPE x_total counter', 'x_total{reason="initial"} 1', 'x_total{reason="active_path_dead"} 12', 'x 3.5', ''].join('\n');
    assert.equal(metricSample(text, 'x_total{reason="active_path_dead"}'), 12);
    assert.equal(metricSample(text, 'x'), 3.5);
    assert.equal(metricSample(text, 'x_total{reason="path_recovered"}'), undefined);
  });

  it('computes CPU from utime+stime (a command name with spaces and parentheses) and RSS from VmRSS', () => {
    const stat = '4242 (node (x) y) S 1 2 3 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 11 0 12345 1000 2000';
    assert.equal(cpuTicksFromStat(stat), 200);
    const status = 'Name:\tnode\nVmRSS:\t   51200 kB\nRssAnon:\t   10240 kB\nThreads:\t11\n';
    assert.equal(rssKbFromStatus(status), 51200);
    assert.equal(rssKbFromStatus(status, 'RssAnon'), 10240);
    const usage = usageBetween(
      [
        { atMs: 0, cpuTicks: 100, rssKb: 1024, anonKb: 512 },
        { atMs: 5_000, cpuTicks: 110, rssKb: 3072, anonKb: 1024 },
        { atMs: 10_000, cpuTicks: 120, rssKb: 2048, anonKb: 768 },
      ],
      100,
    );
    assert.deepEqual(usage, { cpuPercent: 2, maxRssMb: 3, firstRssMb: 1, lastRssMb: 2, maxAnonMb: 1 });
  });
});
