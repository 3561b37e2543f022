import { strict as assert } from 'node:assert';
import { isIP } from 'node:net';
import { attemptsFromShoot, startSinks, type Attempt, type IsolationReport } from '../lib/ha-isolation';
import type { SeedFamily } from '../lib/ha-plan';
import { killActiveServer, settle } from '../lib/ha-scenarios';
import { withRulesStripped } from '../lib/rule-stripping';
import { assertRoutedOff, measureOutages, useHaLab } from './support';

/** The failover bound of the IPv4-seed suite (failover.test.ts), for the same lab on other seed families. */
const MAX_GAP_MS = 1_000;

/**
 * The HA lab on the other seed families Gardener runs (failover.test.ts is the IPv4 seed): the kube-apiserver
 * pods' POD_IP, SEED_POD_NETWORK and the seed clients' IP_FAMILIES of the seed's family, the shoot dual-stack.
 * Each checks what the IPv4 suite checks first: the shoot hosts of both families through the tunnel, that
 * the shoot cannot open anything towards a kube-apiserver pod or the seed pod network, and a failover.
 */
for (const seedFamily of ['IPv6', 'dual-stack'] as const satisfies readonly SeedFamily[]) {
  describe(`[e2e] HA on ${seedFamily === 'IPv6' ? 'an IPv6-only' : 'a dual-stack'} seed: reachability, isolation, failover`, function () {
    this.timeout(120_000);
    const name = seedFamily === 'IPv6' ? 'v6seed' : 'dsseed';
    const lab = useHaLab({ name, shootClients: 2, seedClients: 2, overlap: false, seedFamily });

    it('before the tunnels were up no kube-apiserver pod reached a shoot host', () => {
      assert.deepEqual(lab().reachedBeforeTunnels, []);
    });

    // A kube-apiserver pod of an IPv6-only seed has no IPv4 address to reach IPv4 shoot networks from (the
    // lab's pods keep one, unannounced and unmapped), so on such a seed only the shoot's IPv6 networks count.
    const families = seedFamily === 'IPv6' ? ['IPv6'] : ['IPv4', 'IPv6'];
    it(`both kube-apiserver pods reach shoot pod, service and node addresses, ${families.join(' and ')}`, async () => {
      const checks = (await lab().shootHostChecks()).filter((c) => families.includes(isIP(targetOf(c.what)) === 6 ? 'IPv6' : 'IPv4'));
      assert.deepEqual(
        checks.filter((c) => !c.ok),
        [],
      );
      // Per kube-apiserver pod and family: TCP and ICMP to the shoot's pod, service and node host.
      assert.equal(checks.length, lab().plan.spec.seedClients * families.length * 6);
    });

    it('the shoot side cannot open a connection to a kube-apiserver pod or into the seed pod network; without the tap rules it can', async () => {
      const l = lab();
      const sinks = await startSinks(l, 0);
      const attempt = (): Promise<IsolationReport> => attemptsFromShoot(l, 0, 0, sinks);
      const ours = (line: string): boolean => line.includes('"vpn-shoot-client:seed-client:tap');
      const control = await withRulesStripped(l.ns.seedClients[0], ours, attempt);
      const report = await attempt();
      const opened = (r: IsolationReport, aim: Attempt['aim']): Attempt[] =>
        r.attempts.filter((a) => a.aim === aim && a.protocol !== 'UDP' && a.ok);
      assert.notDeepEqual(opened(control, 'kube-apiserver pod'), [], 'control (no tap rules): connections and echoes to the pod');
      assert.deepEqual(opened(report, 'kube-apiserver pod'), []);
      assert.deepEqual(opened(report, 'seed pod network'), []);
      assert.deepEqual(report.witnessed['kube-apiserver pod'], []);
      assert.deepEqual(report.witnessed['seed pod network'], []);
    });

    it('server carrying the active path killed with SIGKILL: the active paths move, longest gap < 1 s', async () => {
      await settle(lab());
      const { server, outages } = await killActiveServer(lab());
      measureOutages('ha-family-server-kill', outages, { seed: seedFamily, server });
      for (const o of outages) assert.ok(o.gapMs < MAX_GAP_MS, `kube-apiserver pod ${o.kapi}: gap ${o.gapMs} ms`);
      assertRoutedOff(lab(), server);
    });
  });
}

/** The address of a shoot host check: `TCP 100.96.0.10:8080`, `TCP [fd00:96::10]:8080`, `ICMP fd00:96::10`. */
function targetOf(what: string): string {
  const [protocol, target = ''] = what.split(' ');
  return protocol === 'TCP' ? target.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1') : target;
}
