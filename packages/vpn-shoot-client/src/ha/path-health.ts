import {
  ALIVE_AFTER_REPLIES,
  DEAD_AFTER_MISSES,
  NEIGHBOUR_FLUSH_EVERY_MISSES,
  PATIENCE_MS,
  PATIENT_DEAD_AFTER_MISSES,
  PROBE_INTERVAL_MS,
  PROBE_TIMEOUT_INITIAL_MS,
  PROBE_TIMEOUT_MARGIN_MS,
  PROBE_TIMEOUT_MAX_MS,
  PROBE_TIMEOUT_MIN_MS,
} from './timing';
import type { RandomId } from './wire';

/** What one batch of verdicts changed. */
export interface HealthChange {
  becameAlive: boolean;
  becameDead: boolean;
  /** Delete the peer's neighbour entry now (the path is dead and a restarted server must relearn its MAC). */
  flushNeighbour: boolean;
  /** Probes this batch declared lost. */
  lost: number;
  /** The round trip of the echo judged, unless its probe spanned a stall of our own event loop. */
  roundTripMs: number | undefined;
}

const NO_CHANGE: HealthChange = { becameAlive: false, becameDead: false, flushNeighbour: false, lost: 0, roundTripMs: undefined };
const MAX_TIMEOUT_TICKS = Math.ceil(PROBE_TIMEOUT_MAX_MS / PROBE_INTERVAL_MS);
/** Send times are kept this many ticks, so that a late echo still yields a round-trip sample. */
const SEND_TIME_RETENTION_TICKS = 2 * MAX_TIMEOUT_TICKS;
const PATIENCE_TICKS = PATIENCE_MS / PROBE_INTERVAL_MS;

/**
 * The health of one path from its probes. Probes are numbered by tick (one per PROBE_INTERVAL_MS, the
 * same number on every path). A probe is a hit when its echo arrives in time and a miss when it has not
 * after the timeout, counted in whole ticks: with a fast path that is the next tick, the lab's verdict.
 * DEAD_AFTER_MISSES consecutive misses kill a path, ALIVE_AFTER_REPLIES consecutive hits revive it; so
 * scattered single losses never kill a working path. A late echo is no hit, but its round trip
 * lengthens the timeout: a slow or lossy tunnel (TCP turns loss into delay) is waited for; and a live path
 * that answered late in the last PATIENCE_MS dies only after PATIENT_DEAD_AFTER_MISSES.
 * An echo counts only with the nonce its probe carried. A new path starts dead.
 */
export class PathHealth {
  private readonly sendTimes = new Map<number, { at: number; nonce: RandomId; whileAlive: boolean; timed: boolean; echoed: boolean }>();
  private readonly awaiting = new Set<number>();
  private alive = false;
  private hits = 0;
  private misses = 0;
  private smoothedRtt: number | undefined;
  private rttVariation = 0;
  /** The latest probe answered after it had been counted missed, while the path was alive. */
  private lastLateSeq: number | undefined;

  get isAlive(): boolean {
    return this.alive;
  }

  get consecutiveMisses(): number {
    return this.misses;
  }

  /** Current probe timeout in ms. */
  get timeoutMs(): number {
    if (this.smoothedRtt === undefined) return PROBE_TIMEOUT_INITIAL_MS;
    const rto = this.smoothedRtt + Math.max(PROBE_TIMEOUT_MARGIN_MS, 4 * this.rttVariation);
    return Math.min(PROBE_TIMEOUT_MAX_MS, Math.max(PROBE_TIMEOUT_MIN_MS, rto));
  }

  probeSent(seq: number, at: number, nonce: RandomId): void {
    this.sendTimes.set(seq, { at, nonce, whileAlive: this.alive, timed: true, echoed: false });
    this.awaiting.add(seq);
    for (const old of this.sendTimes.keys()) {
      if (old > seq - SEND_TIME_RETENTION_TICKS) break;
      this.sendTimes.delete(old);
    }
  }

  /**
   * An echo of probe `seq` with `nonce` arrived at `at`; echoes of unknown or already answered probes, or
   * with another nonce, change nothing.
   */
  echoReceived(seq: number, nonce: RandomId, at: number): HealthChange {
    const sent = this.sendTimes.get(seq);
    if (sent === undefined || sent.nonce !== nonce || sent.echoed) return NO_CHANGE;
    // Kept (until it ages out) so that a "leaving" answer to this probe can still be recognised.
    sent.echoed = true;
    const roundTripMs = sent.timed ? at - sent.at : undefined;
    const measured = { ...NO_CHANGE, roundTripMs };
    // Echoes of probes queued during an outage arrive seconds late once the path returns; on a live path
    // they would inflate the timeout and slow the next failover, so only a dead path learns from them.
    if (roundTripMs !== undefined && (sent.whileAlive || !this.alive)) this.sampleRoundTrip(roundTripMs);
    if (!this.awaiting.delete(seq)) {
      if (sent.whileAlive && this.alive) this.lastLateSeq = Math.max(this.lastLateSeq ?? seq, seq);
      return measured;
    }
    this.misses = 0;
    this.hits += 1;
    if (this.alive || this.hits < ALIVE_AFTER_REPLIES) return measured;
    this.alive = true;
    // The outage's backlog has shaped the estimate; a revived path starts afresh from this echo, which came in
    // time. Starting from no estimate instead would give it the initial timeout of a whole second until the
    // next echo, and a path that fails right after it revived would be declared dead three times slower.
    this.smoothedRtt = undefined;
    this.rttVariation = 0;
    if (roundTripMs !== undefined) this.sampleRoundTrip(roundTripMs);
    return { ...measured, becameAlive: true };
  }

  /** Whether probe `seq`'s echo has arrived (in time or late). */
  answered(seq: number): boolean {
    return this.sendTimes.get(seq)?.echoed === true;
  }

  /**
   * Our own event loop stalled while these probes were out: their echoes waited in the socket, so their
   * round trips measure the stall, not the path. They still count as hits when answered.
   */
  stalled(): void {
    for (const sent of this.sendTimes.values()) sent.timed = false;
  }

  /** Called at tick `currentSeq` before its probe is sent: every probe still unanswered after the timeout is a miss. */
  expire(currentSeq: number): HealthChange {
    const timeoutTicks = Math.ceil(this.timeoutMs / PROBE_INTERVAL_MS);
    const patient = this.lastLateSeq !== undefined && currentSeq - this.lastLateSeq <= PATIENCE_TICKS;
    const deadAfter = patient ? PATIENT_DEAD_AFTER_MISSES : DEAD_AFTER_MISSES;
    let becameDead = false;
    let flushNeighbour = false;
    let lost = 0;
    for (const seq of [...this.awaiting].sort((a, b) => a - b)) {
      if (currentSeq - seq < timeoutTicks) break;
      this.awaiting.delete(seq);
      lost += 1;
      this.hits = 0;
      this.misses += 1;
      if (this.misses >= deadAfter && this.alive) {
        this.alive = false;
        becameDead = true;
        flushNeighbour = true;
      }
      if (!this.alive && this.misses >= DEAD_AFTER_MISSES && (this.misses - DEAD_AFTER_MISSES) % NEIGHBOUR_FLUSH_EVERY_MISSES === 0) {
        flushNeighbour = true;
      }
    }
    return { ...NO_CHANGE, becameDead, flushNeighbour, lost };
  }

  /**
   * A "leaving" echo of probe `seq` with `nonce`: the shoot client is stopping, so the path is dead now (as
   * connectionLost). Like any echo it counts only with the nonce of its probe; a stopping tunnel controller
   * also answers the last probe it had already echoed.
   */
  leavingEchoReceived(seq: number, nonce: RandomId): HealthChange {
    const sent = this.sendTimes.get(seq);
    if (sent === undefined || sent.nonce !== nonce) return NO_CHANGE;
    return this.connectionLost();
  }

  /**
   * The OpenVPN client reported its server connection lost, or the server stopped acknowledging it: the path
   * is dead now, as after DEAD_AFTER_MISSES misses, without waiting for probes. Probes still out can no longer
   * prove the path; echoes revive it.
   */
  connectionLost(): HealthChange {
    const wasAlive = this.alive;
    this.awaiting.clear();
    this.alive = false;
    this.hits = 0;
    this.misses = Math.max(this.misses, DEAD_AFTER_MISSES);
    return { ...NO_CHANGE, becameDead: wasAlive, flushNeighbour: wasAlive };
  }

  /** RFC 6298 §2 smoothing (alpha 1/8, beta 1/4). */
  private sampleRoundTrip(rtt: number): void {
    if (this.smoothedRtt === undefined) {
      this.smoothedRtt = rtt;
      this.rttVariation = rtt / 2;
      return;
    }
    this.rttVariation = 0.75 * this.rttVariation + 0.25 * Math.abs(this.smoothedRtt - rtt);
    this.smoothedRtt = 0.875 * this.smoothedRtt + 0.125 * rtt;
  }
}
