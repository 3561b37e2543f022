import { strict as assert } from 'node:assert';
import { SEED_LEG_CHECK_MS } from '@vpn/vpn-shoot-client/dist/src/ha/timing';
import { range, shootHost } from '../lib/ha-plan';
import { blackHoleActiveServer, killActiveServer, outagesAcross, restartServer, settle } from '../lib/ha-scenarios';
import { startStream, startStreamServer, STREAM_PORT, type RunningStream } from '../lib/ha-streams';
import { seconds } from '../lib/measurement';
import { sleep } from '../lib/process-supervisor';
import type { StreamResult } from '../lib/programs/stream';
import { assertRoutedOff, measure, measureOutages, useHaLab } from './support';

const BULK_MS = 20_000;
/** Connections each way from each kube-apiserver pod: enough to fill the TCP sessions the probes share. */
const BULK_CONNECTIONS = 4;
/** An echoed line every 20 ms: a terminal session's keystrokes, fine enough to time the outage. */
const ECHO_EVERY_MS = 20;

/**
 * Traffic as operators produce it, in active-backup mode: bulk transfers must not look like a dead path to
 * the probes, and a long-lived connection from a kube-apiserver pod (`kubectl exec`, `logs -f`) must outlive
 * the failure of the server carrying it, since the path controller moves it to the same vpn-shoot pod through
 * the other server and that pod's connection tracking keeps the connection's NAT.
 */
describe('[e2e] HA under load: bulk traffic does not switch paths, long-lived connections survive a failover', function () {
  this.timeout(120_000);
  const lab = useHaLab({ name: 'load', shootClients: 2, seedClients: 2, overlap: false });
  const target = (): string => shootHost(lab().plan, 'pod', 'IPv4').address.address;

  before(async () => {
    await startStreamServer(lab());
  });

  it(`${BULK_MS / 1000} s of bulk TCP both ways from every kube-apiserver pod: no path switches`, async function () {
    this.timeout(BULK_MS + 60_000);
    const l = lab();
    await settle(l);
    const marks = range(l.plan.spec.seedClients).map((k) => l.pathLogMark(k));
    let bulk: StreamResult[] = [];
    const outages = await outagesAcross(
      l,
      async () => {
        const running = await Promise.all(
          range(l.plan.spec.seedClients).map((k) =>
            startStream(l, k, { op: 'bulk', host: target(), port: STREAM_PORT, connections: BULK_CONNECTIONS }),
          ),
        );
        await sleep(BULK_MS);
        bulk = await Promise.all(running.map((r) => r.stop()));
      },
      500,
    );
    for (const [k, b] of bulk.entries()) {
      const mbits = (bytes: number): string => ((bytes * 8) / b.ms / 1000).toFixed(1);
      measure('ha-bulk', {
        kapi: k,
        seconds: BULK_MS / 1000,
        connections_each_way: BULK_CONNECTIONS,
        pull_mbit_s: mbits(b.pulledBytes),
        push_mbit_s: mbits(b.pushedBytes),
      });
    }
    measureOutages('ha-bulk-ping', outages);
    for (const [k, b] of bulk.entries()) {
      assert.equal(b.error, '', `kube-apiserver pod ${k}: the bulk connections broke`);
      assert.ok(
        b.pulledBytes > 10 * 2 ** 20 && b.pushedBytes > 10 * 2 ** 20,
        `kube-apiserver pod ${k}: too little bulk traffic to load the path: ${JSON.stringify(b)}`,
      );
    }
    for (const [k, mark] of marks.entries()) {
      const view = l.pathView(k, mark);
      assert.deepEqual(view.switches, [], `kube-apiserver pod ${k} switched paths under bulk traffic (${view.deaths} dead verdicts)`);
    }
  });

  /** Echo streams from every kube-apiserver pod across `fault`, which returns the server it hit. */
  async function streamsAcross(fault: () => Promise<number>): Promise<{ server: number; carried: boolean[]; results: StreamResult[] }> {
    const l = lab();
    const activeServers = range(l.plan.spec.seedClients).map((k) => l.pathView(k).active.map((p) => Number(/^tap(\d+)\//.exec(p)?.[1])));
    const streams: RunningStream[] = await Promise.all(
      range(l.plan.spec.seedClients).map((k) =>
        startStream(l, k, { op: 'echo', host: target(), port: STREAM_PORT, everyMs: ECHO_EVERY_MS }),
      ),
    );
    await sleep(500);
    const server = await fault();
    await sleep(1_000);
    const results = await Promise.all(streams.map((s) => s.stop()));
    return { server, carried: activeServers.map((servers) => servers.includes(server)), results };
  }

  /**
   * Each connection lasted with its lines in order. Where the faulted server carried the pod's active path,
   * the active path moved off that server, and where only silence can reveal the fault (`stallsAtLeastMs`: a
   * black hole is found when a probe is still unanswered SEED_LEG_CHECK_MS after it went out) the connection
   * also stalled that long.
   */
  function assertSurvived(
    scenario: string,
    { server, carried, results }: Awaited<ReturnType<typeof streamsAcross>>,
    stallsAtLeastMs: number,
  ): void {
    for (const [k, r] of results.entries()) {
      measure(scenario, {
        kapi: k,
        server,
        carried: String(carried[k]),
        longest_silence_s: seconds(r.longestSilenceMs),
        sent: r.sent,
        echoed: r.echoed,
      });
    }
    for (const [k, r] of results.entries()) {
      assert.equal(r.error, '', `kube-apiserver pod ${k}: the long-lived connection broke`);
      assert.ok(
        r.echoed >= r.sent - Math.ceil(1_000 / ECHO_EVERY_MS),
        `kube-apiserver pod ${k}: ${r.sent - r.echoed} lines never came back`,
      );
      if (!carried[k]) continue;
      assert.ok(
        r.longestSilenceMs >= stallsAtLeastMs,
        `kube-apiserver pod ${k}: the fault on server ${server} never stalled its connection (${r.longestSilenceMs} ms)`,
      );
      assertRoutedOff(lab(), server, [k]);
    }
    assert.ok(carried.some(Boolean), `no kube-apiserver pod's active path used server ${server}`);
  }

  it('a long-lived connection from each kube-apiserver pod survives SIGKILL of the server carrying it', async () => {
    await settle(lab());
    let killed: number | undefined;
    try {
      const outcome = await streamsAcross(async () => (killed = (await killActiveServer(lab())).server));
      // The killed server's connections close, so the path moves on that event, without probe time.
      assertSurvived('ha-stream-server-kill', outcome, 0);
    } finally {
      if (killed !== undefined) await restartServer(lab(), killed);
    }
  });

  it('a long-lived connection from each kube-apiserver pod survives a black hole of the server carrying it', async () => {
    await settle(lab());
    const outcome = await streamsAcross(async () => (await blackHoleActiveServer(lab())).server);
    assertSurvived('ha-stream-black-hole', outcome, SEED_LEG_CHECK_MS);
  });
});
