import { strict as assert } from 'node:assert';
import type { LinkInfo, NetworkPort, WatchLinks } from '../../src/ha/ports';
import { TapMonitor } from '../../src/ha/tap-monitor';
import { TAP_POLL_INTERVAL_MS, TAP_RESYNC_INTERVAL_MS } from '../../src/ha/timing';
import { captureLogger } from './support/capture-logger';
import { FakeClock, settle } from './support/fake-clock';
import { FakeNetwork } from './support/fake-network';

/** The fake network's links, unless `failure` is set: then listing them fails with it. */
function failingNetwork(network: FakeNetwork): Pick<NetworkPort, 'listLinks'> & { failure: string | undefined } {
  return {
    failure: undefined,
    listLinks() {
      return this.failure === undefined ? network.listLinks() : Promise.reject(new Error(this.failure));
    },
  };
}

describe('ha tap monitor', () => {
  it('logs a failure to list links once per streak and reports what changed meanwhile at the next good poll', async () => {
    const network = new FakeNetwork(['tap0', 'tap1']);
    const port = failingNetwork(network);
    const { logger, lines } = captureLogger();
    const monitor = new TapMonitor(port, 3, logger);
    const reported: number[][] = [];
    const refresh = (): Promise<void> => monitor.refresh((servers) => reported.push(servers));
    assert.deepEqual(await monitor.poll(), [0, 1]);
    const before = new Map(monitor.present);

    port.failure = 'list links: no reply from the kernel within 5000 ms';
    network.recreateLink('tap1');
    network.addLink('tap2');
    await refresh();
    await refresh();
    assert.deepEqual(lines, ['warn could not list links, will retry error="list links: no reply from the kernel within 5000 ms"']);
    assert.deepEqual(reported, []);
    assert.deepEqual(monitor.present, before, 'the taps of the last good poll stand');

    port.failure = undefined;
    await refresh();
    assert.deepEqual(reported, [[1, 2]]);
    assert.deepEqual([...monitor.present.keys()], [0, 1, 2]);
    assert.equal(lines.length, 1, 'recovering logs nothing');

    port.failure = 'list links: no reply from the kernel within 5000 ms';
    await refresh();
    assert.equal(lines.length, 2, 'the same failure after a good poll is a new streak');
  });

  describe('follow()', () => {
    /** A link watch whose reports the test sends with report(); closed once close() was called. */
    function fakeLinkWatch(): { watchLinks: WatchLinks; report: () => void; closed: () => boolean } {
      let onChange: (() => void) | undefined;
      let closed = false;
      return {
        watchLinks: (callback) => {
          onChange = callback;
          return {
            close: () => {
              closed = true;
              return Promise.resolve();
            },
          };
        },
        report: () => onChange?.(),
        closed: () => closed,
      };
    }

    /** `port` lists the links; the fake network unless a test slows the listing down. */
    function follow(
      watchLinks: WatchLinks | undefined,
      network = new FakeNetwork(['tap0']),
      port: Pick<NetworkPort, 'listLinks'> = network,
    ) {
      const clock = new FakeClock();
      const { logger, lines } = captureLogger();
      const monitor = new TapMonitor(port, 3, logger);
      const reported: number[][] = [];
      const tasks: Promise<void>[] = [];
      const stop = monitor.follow(
        clock,
        watchLinks,
        (servers) => reported.push(servers),
        (task) => tasks.push(task),
      );
      return { clock, network, monitor, reported, lines, stop, tasks };
    }

    it('lists the links at once when the kernel reports a change, and otherwise only every TAP_RESYNC_INTERVAL_MS', async () => {
      const links = fakeLinkWatch();
      const { clock, network, reported } = follow(links.watchLinks);
      await settle();
      assert.deepEqual(reported, [[0]], 'listed once right after subscribing');
      network.addLink('tap1');
      links.report();
      await settle();
      assert.deepEqual(reported, [[0], [1]], 'a reported change is listed without waiting for a timer');

      network.addLink('tap2');
      await clock.advance(TAP_RESYNC_INTERVAL_MS - 1);
      assert.deepEqual(reported, [[0], [1]], 'an unreported change waits for the resync');
      await clock.advance(1);
      assert.deepEqual(reported, [[0], [1], [2]]);
    });

    it('polls every TAP_POLL_INTERVAL_MS, with one warning, when the reports cannot be subscribed to', async () => {
      const { clock, network, reported, lines } = follow(() => {
        throw new Error('EPERM');
      });
      assert.deepEqual(lines, [
        `warn could not subscribe to link changes, listing the links periodically ms=${TAP_POLL_INTERVAL_MS} error=EPERM`,
      ]);
      await clock.advance(TAP_POLL_INTERVAL_MS);
      assert.deepEqual(reported, [[0]]);
      network.addLink('tap1');
      await clock.advance(TAP_POLL_INTERVAL_MS);
      assert.deepEqual(reported, [[0], [1]]);
    });

    it('lists once more when a change is reported while a listing runs, and closes the watch when stopped', async () => {
      const links = fakeLinkWatch();
      const network = new FakeNetwork(['tap0']);
      let release: (() => void) | undefined;
      let listings = 0;
      const slow: Pick<NetworkPort, 'listLinks'> = {
        listLinks: async (): Promise<LinkInfo[]> => {
          listings++;
          const links = await network.listLinks();
          await new Promise<void>((resolve) => (release = resolve));
          return links;
        },
      };
      const { reported, stop, tasks } = follow(links.watchLinks, network, slow);
      await settle();
      network.addLink('tap1');
      links.report();
      links.report();
      release?.();
      await settle();
      assert.equal(listings, 2, 'two reports during one listing: one more listing');
      release?.();
      await Promise.all(tasks);
      assert.deepEqual(reported, [[0], [1]]);
      stop();
      await Promise.all(tasks);
      assert.equal(links.closed(), true);
    });
  });
});
