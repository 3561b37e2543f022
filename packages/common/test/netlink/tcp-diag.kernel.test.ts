import assert from 'node:assert/strict';
import type { TcpProgress } from '../../src/netlink';
import { TestNetns } from '../support/netns';
import { requireRoot } from '../support/privileges';
import { runFixture } from './run-fixture';

interface StallReport {
  acknowledged: TcpProgress;
  stalled: TcpProgress;
  stalledForMs: number;
  missing: null;
}

describe('[root] sock_diag against the kernel: the progress of one TCP connection', function () {
  let ns: TestNetns | undefined;

  before(function () {
    requireRoot(this);
  });

  afterEach(() => ns?.destroy());

  for (const host of ['127.0.0.1', '::1']) {
    it(`${host}: nothing in flight while acknowledged; data in flight and no ACK since the peer went silent; no such connection`, () => {
      ns = TestNetns.create('diag');
      const report = runFixture<StallReport>(ns, 'netlink/fixtures/tcp-diag-stall.js', { host });
      assert.equal(report.acknowledged.unacked, 0);
      assert.ok(report.acknowledged.lastAckAgeMs < 150, `last ACK ${report.acknowledged.lastAckAgeMs} ms ago`);
      assert.ok(report.acknowledged.rttMs > 0 && report.acknowledged.rttMs < 50, `round trip ${report.acknowledged.rttMs} ms`);
      assert.ok(report.stalled.unacked >= 1, `in flight: ${report.stalled.unacked}`);
      // The last ACK came before the silence began, so it is older than the unacknowledged write.
      assert.ok(
        report.stalled.lastAckAgeMs >= report.stalledForMs - 10,
        `last ACK ${report.stalled.lastAckAgeMs} ms ago, written ${report.stalledForMs} ms ago`,
      );
      assert.equal(report.missing, null);
    });
  }
});
