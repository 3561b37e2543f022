import { strict as assert } from 'node:assert';
import { FailureWindow, ServerWatchdog } from '../../src/ha/watchdog';

const gardener = { windowSize: 20, threshold: 8, cooldown: 20 };

describe('ha watchdog', () => {
  it('restarts when the failures in the window reach the threshold', () => {
    const window = new FailureWindow(gardener);
    const restarts = Array.from({ length: 8 }, () => window.record(true));
    assert.deepEqual(restarts, [false, false, false, false, false, false, false, true]);
    assert.equal(window.failures, 0, 'the window starts over');
    assert.equal(window.cooldown, 20);
  });

  it('counts failures within the sliding window only', () => {
    const window = new FailureWindow({ windowSize: 4, threshold: 3, cooldown: 1 });
    assert.deepEqual(
      [true, true, false, false, false, true, true].map((f) => window.record(f)),
      Array(7).fill(false),
    );
    assert.equal(window.failures, 2, 'the first two failures slid out');
    assert.equal(window.record(true), true);
  });

  it('ignores the cooldown events after a restart, failures included', () => {
    const window = new FailureWindow({ windowSize: 5, threshold: 2, cooldown: 3 });
    window.record(true);
    assert.equal(window.record(true), true);
    assert.deepEqual(
      [true, true, true].map((f) => window.record(f)),
      [false, false, false],
    );
    assert.equal(window.failures, 0);
    assert.equal(window.record(true), false);
    assert.equal(window.record(true), true);
  });

  it('keeps one window per server and restarts only the silent one', () => {
    const watchdog = new ServerWatchdog(gardener);
    watchdog.setServers([0, 1]);
    const restarts: number[][] = [];
    for (let interval = 0; interval < 40; interval++) {
      watchdog.announcementSeen(1);
      restarts.push(
        watchdog
          .endInterval()
          .filter((e) => e.restart)
          .map((e) => e.server),
      );
    }
    assert.deepEqual(
      restarts.flatMap((servers, interval) => servers.map((server) => ({ interval, server }))),
      [
        { interval: 7, server: 0 },
        { interval: 35, server: 0 },
      ],
      '8 failures, then 20 ignored, then 8 more',
    );
  });

  it('an announcement in an interval is a success for that server only', () => {
    const watchdog = new ServerWatchdog(gardener);
    watchdog.setServers([0, 2]);
    watchdog.announcementSeen(2);
    watchdog.announcementSeen(1);
    assert.deepEqual(watchdog.endInterval(), [
      { server: 0, failure: true, failures: 1, restart: false },
      { server: 2, failure: false, failures: 0, restart: false },
    ]);
    assert.deepEqual(
      watchdog.endInterval().map((e) => e.failure),
      [true, true],
      'each interval starts unheard',
    );
  });

  it('a vanished tap drops its window, a returning one starts fresh', () => {
    const watchdog = new ServerWatchdog(gardener);
    watchdog.setServers([0, 1]);
    for (let i = 0; i < 7; i++) watchdog.endInterval();
    watchdog.setServers([1]);
    assert.deepEqual(
      watchdog.endInterval().map((e) => e.server),
      [1],
    );
    watchdog.setServers([0, 1]);
    assert.deepEqual(
      watchdog.endInterval().map((e) => [e.server, e.failures, e.restart]),
      [
        [0, 1, false],
        [1, 0, false],
      ],
      'server 1 restarted at its 8th failure; server 0 counts from 1 again',
    );
  });
});
