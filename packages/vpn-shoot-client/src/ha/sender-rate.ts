import { setNewest } from './bounded-map';
import { MAX_TRACKED_SENDERS, SENDER_BURST, SENDER_RATE_PER_SECOND } from './limits';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per sender: `admit` is false once a sender exceeds SENDER_RATE_PER_SECOND beyond a burst of
 * SENDER_BURST. At most MAX_TRACKED_SENDERS buckets are kept; every admission sets its sender's as the newest,
 * so the least recently heard sender is forgotten first.
 */
export class SenderRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly ratePerSecond = SENDER_RATE_PER_SECOND,
    private readonly burst = SENDER_BURST,
    private readonly maxSenders = MAX_TRACKED_SENDERS,
  ) {}

  get trackedSenders(): number {
    return this.buckets.size;
  }

  admit(sender: string, now: number): boolean {
    const previous = this.buckets.get(sender);
    const tokens =
      previous === undefined ? this.burst : Math.min(this.burst, previous.tokens + ((now - previous.at) * this.ratePerSecond) / 1000);
    const admitted = tokens >= 1;
    setNewest(this.buckets, sender, { tokens: admitted ? tokens - 1 : tokens, at: now }, this.maxSenders);
    return admitted;
  }
}
