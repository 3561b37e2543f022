import { strict as assert } from 'node:assert';
import { PathHealth, type HealthChange } from '../../src/ha/path-health';
import { DEAD_AFTER_MISSES, PATIENCE_MS, PATIENT_DEAD_AFTER_MISSES, PROBE_INTERVAL_MS } from '../../src/ha/timing';
import { NONCE } from './support/ids';
import { seededRandom } from './support/prng';

/**
 * Drives one PathHealth tick by tick as the path controller does: expire, then send; `echoAfter(seq)`
 * says after how many ms the echo of probe `seq` arrives (undefined: lost).
 */
class ProbeRun {
  readonly health = new PathHealth();
  readonly events: { seq: number; change: HealthChange }[] = [];
  private seq = 0;
  private echoes: { at: number; seq: number }[] = [];

  constructor(private readonly echoAfter: (seq: number) => number | undefined) {}

  ticks(count: number): this {
    for (let i = 0; i < count; i++) this.tick();
    return this;
  }

  get alive(): boolean {
    return this.health.isAlive;
  }

  deadVerdicts(): number {
    return this.events.filter((e) => e.change.becameDead).length;
  }

  flushes(): number[] {
    return this.events.filter((e) => e.change.flushNeighbour).map((e) => e.seq);
  }

  private tick(): void {
    const seq = ++this.seq;
    const now = seq * PROBE_INTERVAL_MS;
    for (const echo of this.echoes.filter((e) => e.at < now).sort((a, b) => a.at - b.at)) {
      this.note(echo.seq, this.health.echoReceived(echo.seq, NONCE, echo.at));
    }
    this.echoes = this.echoes.filter((e) => e.at >= now);
    this.note(seq, this.health.expire(seq));
    this.health.probeSent(seq, now, NONCE);
    const delay = this.echoAfter(seq);
    if (delay !== undefined) this.echoes.push({ at: now + delay, seq });
  }

  private note(seq: number, change: HealthChange): void {
    if (change.becameAlive || change.becameDead || change.flushNeighbour) this.events.push({ seq, change });
  }
}

describe('ha path health (probe verdicts)', () => {
  it('a new path is dead until two consecutive echoes', () => {
    const run = new ProbeRun(() => 1);
    assert.equal(run.alive, false);
    run.ticks(2);
    assert.equal(run.alive, false, 'one echo so far (the second is still in flight)');
    run.ticks(1);
    assert.equal(run.alive, true);
  });

  it('dies at the third consecutive miss, not before', () => {
    const run = new ProbeRun((seq) => (seq >= 10 ? undefined : 1)).ticks(12);
    assert.equal(run.alive, true, 'probes 10 and 11 missed');
    run.ticks(1);
    assert.equal(run.alive, false, 'probe 12 missed too, judged at tick 13');
    assert.deepEqual(run.events.at(-1), {
      seq: 13,
      change: { becameAlive: false, becameDead: true, flushNeighbour: true, lost: 1, roundTripMs: undefined },
    });
  });

  it('a path that answered late in the last PATIENCE_MS dies at PATIENT_DEAD_AFTER_MISSES misses, not DEAD_AFTER_MISSES', () => {
    const patienceTicks = PATIENCE_MS / PROBE_INTERVAL_MS;
    const deadAt = (blackHoleFrom: number): number => {
      const run = new ProbeRun((seq) => (seq >= blackHoleFrom ? undefined : seq === 20 ? 250 : 1)).ticks(blackHoleFrom + 40);
      const verdicts = run.events.filter((e) => e.change.becameDead);
      assert.equal(verdicts.length, 1);
      assert.equal(verdicts[0].change.flushNeighbour, true, 'the neighbour entry goes with the death');
      return verdicts[0].seq - blackHoleFrom;
    };
    assert.equal(deadAt(15), DEAD_AFTER_MISSES, 'before the late echo');
    assert.equal(deadAt(40), PATIENT_DEAD_AFTER_MISSES, 'probe 20 was counted missed and then answered');
    assert.equal(
      deadAt(20 + patienceTicks - PATIENT_DEAD_AFTER_MISSES),
      PATIENT_DEAD_AFTER_MISSES,
      'the last miss judged PATIENCE_MS after the late echo',
    );
    assert.equal(deadAt(20 + patienceTicks), DEAD_AFTER_MISSES, 'the third miss judged after that');
  });

  it('needs two consecutive echoes to come back', () => {
    const lost = new Set([10, 11, 12, 14]);
    const run = new ProbeRun((seq) => (lost.has(seq) ? undefined : 1)).ticks(15);
    assert.equal(run.alive, false, 'probe 13 answered, 14 lost');
    run.ticks(2);
    assert.equal(run.alive, true, 'probes 15 and 16 answered');
  });

  it('flushes the neighbour entry at the 3rd miss and every 10 after, even before the path was ever alive', () => {
    const run = new ProbeRun(() => undefined).ticks(40);
    // The first verdicts wait for the initial 1 s timeout (10 ticks): probe 1 is judged at tick 11.
    assert.deepEqual(run.flushes(), [13, 23, 33]);
    assert.equal(run.deadVerdicts(), 0, 'it never was alive');
  });

  it('scattered losses (5 % random, seeded, 600 probes) never kill a working path', () => {
    const random = seededRandom(5400);
    let lost = 0;
    const run = new ProbeRun(() => (random() < 0.05 ? (lost++, undefined) : 1)).ticks(600);
    assert.ok(lost >= 20 && lost <= 40, `5 % of 600 probes lost (${lost})`);
    assert.equal(run.deadVerdicts(), 0);
    assert.equal(run.alive, true);
  });

  it('loss turned into delay by the TCP tunnel (5 % of echoes 230 ms late) is absorbed by the adaptive timeout', () => {
    const random = seededRandom(1194);
    let late = 0;
    const run = new ProbeRun(() => (random() < 0.05 ? (late++, 230) : 1)).ticks(600);
    assert.ok(late >= 20, `late echoes: ${late}`);
    assert.equal(run.deadVerdicts(), 0);
    assert.equal(run.alive, true);
  });

  it('a far shoot (250 ms round trip) stays alive; its black hole is found within timeout + 2 intervals', () => {
    const run = new ProbeRun((seq) => (seq >= 100 ? undefined : 250)).ticks(99);
    assert.equal(run.alive, true);
    assert.ok(run.health.timeoutMs >= 270 && run.health.timeoutMs < 400, `timeout ${run.health.timeoutMs} ms`);
    run.ticks(8);
    assert.equal(run.alive, false);
    const deadAt = run.events.find((e) => e.change.becameDead)?.seq ?? 0;
    assert.ok(deadAt - 100 <= 5, `dead ${deadAt - 100} ticks after the black hole`);
  });

  it('a fast path keeps the lab timing: one interval to judge a probe', () => {
    const run = new ProbeRun(() => 2).ticks(50);
    assert.equal(run.health.timeoutMs, PROBE_INTERVAL_MS);
  });

  it('ignores echoes of probes it never sent and duplicate echoes', () => {
    const health = new PathHealth();
    health.probeSent(1, 100, NONCE);
    assert.equal(health.echoReceived(7, NONCE, 101).becameAlive, false);
    health.echoReceived(1, NONCE, 101);
    health.echoReceived(1, NONCE, 102);
    assert.equal(health.isAlive, false, 'one probe answered twice is one echo');
  });

  it('a path that fails right after it became alive is dead at the third miss, not after the initial 1 s timeout', () => {
    // Probes 1 and 2 are answered (alive when echo 2 is read at tick 3), everything from probe 3 on is lost.
    const run = new ProbeRun((seq) => (seq <= 2 ? 1 : undefined)).ticks(20);
    const deadAt = run.events.find((e) => e.change.becameDead)?.seq;
    assert.equal(deadAt, 6, 'probes 3, 4 and 5 missed at ticks 4, 5 and 6');
  });

  it('a "leaving" answer kills a live path at once, also for a probe already echoed, but only with its nonce', () => {
    const run = new ProbeRun(() => 1).ticks(5);
    assert.equal(run.alive, true);
    const forged = 'ffffffffffffffff' as typeof NONCE;
    assert.equal(run.health.leavingEchoReceived(4, forged).becameDead, false, 'a guessed nonce');
    assert.equal(run.health.leavingEchoReceived(99, NONCE).becameDead, false, 'a probe never sent');
    assert.deepEqual(run.health.leavingEchoReceived(4, NONCE), {
      becameAlive: false,
      becameDead: true,
      flushNeighbour: true,
      lost: 0,
      roundTripMs: undefined,
    });
    assert.equal(run.alive, false);
    assert.equal(run.health.leavingEchoReceived(5, NONCE).becameDead, false, 'dead once');
  });

  it('ignores echoes whose nonce is not the one its probe carried', () => {
    const health = new PathHealth();
    const forged = 'ffffffffffffffff' as typeof NONCE;
    for (let seq = 1; seq <= 5; seq++) {
      health.probeSent(seq, seq * PROBE_INTERVAL_MS, NONCE);
      health.echoReceived(seq, forged, seq * PROBE_INTERVAL_MS + 1);
    }
    assert.equal(health.isAlive, false, 'echoes with the right seq but a guessed nonce');
    assert.equal(health.timeoutMs, 1000, 'and no round trip learnt from them');
  });

  it('round trips of probes that spanned our own stalled event loop teach nothing', () => {
    const health = new PathHealth();
    for (let seq = 1; seq <= 10; seq++) {
      health.expire(seq);
      health.probeSent(seq, seq * PROBE_INTERVAL_MS, NONCE);
      health.echoReceived(seq, NONCE, seq * PROBE_INTERVAL_MS + 1);
    }
    health.expire(11);
    health.probeSent(11, 1100, NONCE);
    health.stalled();
    assert.equal(health.echoReceived(11, NONCE, 1600).becameDead, false);
    assert.equal(health.isAlive, true);
    assert.equal(health.timeoutMs, PROBE_INTERVAL_MS, 'the 500 ms stall is not a round trip of the path');
  });

  it('reports the round trip of every matched echo, late ones too, but none across our own stall', () => {
    const health = new PathHealth();
    health.probeSent(1, 100, NONCE);
    health.probeSent(2, 200, NONCE);
    assert.equal(health.echoReceived(1, NONCE, 103).roundTripMs, 3);
    assert.equal(health.expire(12).lost, 1, 'probe 2 is lost');
    assert.equal(health.echoReceived(2, NONCE, 1450).roundTripMs, 1250, 'a late echo still measures the path');
    assert.equal(health.echoReceived(2, NONCE, 1460).roundTripMs, undefined, 'answered already');
    health.probeSent(13, 1300, NONCE);
    health.stalled();
    assert.equal(health.echoReceived(13, NONCE, 1800).roundTripMs, undefined);
  });

  it('counts every probe an expiry declares lost', () => {
    const health = new PathHealth();
    for (let seq = 1; seq <= 5; seq++) health.probeSent(seq, seq * PROBE_INTERVAL_MS, NONCE);
    assert.equal(health.expire(14).lost, 4, 'probes 1..4 are older than the initial 1 s timeout');
    assert.equal(health.expire(14).lost, 0, 'judged once');
  });

  it('the backlog of an outage, echoed seconds late when the path returns, does not slow the next failover', () => {
    // Probes 21..50 sit in the tunnel during the outage and are all echoed at once when it ends (tick 51).
    const run = new ProbeRun((seq) => (seq > 20 && seq <= 50 ? (51 - seq) * PROBE_INTERVAL_MS + 5 : 1)).ticks(60);
    assert.equal(run.alive, true);
    assert.equal(run.health.timeoutMs, PROBE_INTERVAL_MS, 'back to one interval right after the path returned');
  });
});
