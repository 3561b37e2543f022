import { strict as assert } from 'node:assert';
import { setNewest } from '../../src/ha/bounded-map';
import { SenderRateLimit } from '../../src/ha/sender-rate';

describe('ha bounded per-sender state', () => {
  it('holds at most max entries and forgets the one set least recently', () => {
    const map = new Map<string, number>();
    for (const [key, value] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      setNewest(map, key, value, 3);
    setNewest(map, 'a', 10, 3);
    setNewest(map, 'd', 4, 3);
    assert.deepEqual(
      [...map],
      [
        ['c', 3],
        ['a', 10],
        ['d', 4],
      ],
    );
  });

  it('the rate limit keeps at most its number of senders, a forgotten one starting with a full burst again', () => {
    const limit = new SenderRateLimit(1, 1, 2);
    assert.equal(limit.admit('x', 0), true);
    assert.equal(limit.admit('x', 0), false);
    limit.admit('y', 0);
    limit.admit('z', 0);
    assert.equal(limit.trackedSenders, 2);
    assert.equal(limit.admit('x', 0), true, 'x was forgotten first');
  });
});
