import { strict as assert } from 'node:assert';
import { firstSuccess, longestGap, parsePingReplies, seconds } from '../lib/measurement';

const PING_OUTPUT = `PING 100.96.0.10 (100.96.0.10) 56(84) bytes of data.
[1795478665.058171] 64 bytes from 100.96.0.10: icmp_seq=1 ttl=62 time=1.07 ms
[1795478665.108500] 64 bytes from 100.96.0.10: icmp_seq=2 ttl=62 time=0.95 ms
[1795478665.160100] From 10.96.0.1 icmp_seq=3 Destination Host Unreachable
[1795478668.412000] 64 bytes from 100.96.0.10: icmp_seq=68 ttl=62 time=1.30 ms
[1795478668.462000] 64 bytes from fd00:96::10: icmp_seq=69 ttl=62 time=1.10 ms

--- 100.96.0.10 ping statistics ---
69 packets transmitted, 4 received, 94% packet loss, time 3400ms
`;

describe('e2e lib: measurement', () => {
  it('parses the replies of `ping -D`, ignoring errors and statistics', () => {
    assert.deepEqual(parsePingReplies(PING_OUTPUT), [
      { seq: 1, atMs: 1795478665058 },
      { seq: 2, atMs: 1795478665109 },
      { seq: 68, atMs: 1795478668412 },
      { seq: 69, atMs: 1795478668462 },
    ]);
  });

  it('finds the longest gap between consecutive replies, with the packets lost in it', () => {
    assert.deepEqual(longestGap(parsePingReplies(PING_OUTPUT)), { ms: 3303, afterSeq: 2, beforeSeq: 68, lost: 65 });
    assert.equal(longestGap([{ seq: 1, atMs: 5 }]), undefined);
  });

  it('firstSuccess starts probes without waiting for slow ones and resolves at the first success', async () => {
    let calls = 0;
    let slowSettled = 0;
    const slowFailures: Promise<boolean>[] = [];
    await firstSuccess(
      () => {
        calls++;
        if (calls < 4) {
          const p = new Promise<boolean>((r) =>
            setTimeout(() => {
              slowSettled++;
              r(false);
            }, 200),
          );
          slowFailures.push(p);
          return p;
        }
        return Promise.resolve(true);
      },
      { intervalMs: 1, timeoutMs: 5_000, maxInFlight: 10 },
    );
    assert.equal(calls, 4);
    assert.equal(slowSettled, 0, 'resolved only after a slow probe had failed');
    await Promise.all(slowFailures);
  });

  it('firstSuccess gives up after its timeout and never exceeds the in-flight limit', async () => {
    let started = 0;
    let clock = 0;
    const never = new Promise<boolean>(() => undefined);
    await assert.rejects(
      firstSuccess(
        () => {
          started++;
          return never;
        },
        { intervalMs: 1, timeoutMs: 50, maxInFlight: 3, now: () => (clock += 5) },
      ),
      /no probe succeeded within 50 ms/,
    );
    assert.equal(started, 3);
  });

  it('prints seconds with two decimals', () => {
    assert.equal(seconds(2314), '2.31');
  });
});
