// The package's index also loads its generated rtnetlink, nl80211 and WireGuard tables (1.4 MB of
// JavaScript we do not use: we decode payloads ourselves); these three modules are the socket and framing.
import { Protocol } from 'netlink/dist/constants';
import { NetlinkSocket } from 'netlink/dist/netlink';
import { RawNetlinkSocket, type MessageInfo } from 'netlink/dist/raw';
import type { NetlinkMessage } from 'netlink/dist/structs';
import { NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP, NLM_F_DUMP_INTR } from './constants';
import { NetlinkError } from './errors';

export interface ReplyMessage {
  type: number;
  data: Buffer;
}

const DUMP_ATTEMPTS = 3;

/**
 * Request/reply over one rtnetlink socket of the npm `netlink` package, which does the framing, sequence
 * numbers and multipart assembly; we decode the payloads ourselves. Requests run one at a time because the
 * kernel refuses a second dump on a socket while one is in progress (EBUSY). The socket opens with the
 * first request and does not keep the process alive while idle.
 */
export class RtnetlinkTransport {
  private socket: NetlinkSocket | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** `openRaw` opens the native socket under the package's framing; tests pass a fake. */
  constructor(
    private readonly timeoutMs: number,
    private readonly openRaw: () => RawNetlinkSocket = () => new RawNetlinkSocket(Protocol.ROUTE),
  ) {}

  /** Sends a request and resolves with its non-ACK reply messages; a kernel error rejects with NetlinkError. */
  request(operation: string, type: number, body: Buffer, flags = 0): Promise<ReplyMessage[]> {
    return this.serialize(async () => checked(operation, await this.exchange(operation, type, body, flags)));
  }

  /** Dumps a table; repeats the dump when the kernel flags it as interrupted by a concurrent change. */
  dump(operation: string, type: number, body: Buffer): Promise<ReplyMessage[]> {
    return this.serialize(async () => {
      for (let attempt = 1; ; attempt++) {
        const replies = await this.exchange(operation, type, body, NLM_F_DUMP);
        if (!replies.some((m) => m.flags & NLM_F_DUMP_INTR)) return checked(operation, replies);
        if (attempt === DUMP_ATTEMPTS) {
          throw new Error(`${operation}: dump interrupted by concurrent changes ${DUMP_ATTEMPTS} times`);
        }
      }
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = null;
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async exchange(operation: string, type: number, body: Buffer, flags: number): Promise<NetlinkMessage[]> {
    const netlink = this.open(operation);
    // A receive error (e.g. ENOBUFS) may have eaten the reply: the request fails with it at once. The listener
    // is this request's own. Racing every request against one promise that lives as long as the socket left a
    // reaction on it per request, and with it every reply: 16 KB per link dump, a leak of ~2 MB a minute in a
    // controller (docs/measurements.md, "Start-up and footprint").
    let stopListening = (): void => undefined;
    const failure = new Promise<never>((_, reject) => {
      netlink.once('error', reject);
      stopListening = () => netlink.off('error', reject);
    });
    try {
      const reply = netlink.request(type, body, { flags, checkError: false, timeout: this.timeoutMs });
      const [messages] = await Promise.race([reply, failure]);
      return messages;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const timedOut = reason === 'Timeout has been reached';
      throw new Error(`${operation}: ${timedOut ? `no reply from the kernel within ${this.timeoutMs} ms` : reason}`, {
        cause: err,
      });
    } finally {
      stopListening();
    }
  }

  private open(operation: string): NetlinkSocket {
    if (this.closed) throw new Error(`${operation}: netlink socket already closed`);
    if (!this.socket) {
      const netlink = new DoneKeepingSocket(this.openRaw());
      // After a receive error the socket may have lost a reply, and a late one could be taken for the next
      // request's: it is closed, and the next request gets a fresh one. The error may come while no request waits.
      netlink.on('error', () => {
        if (this.socket === netlink) this.socket = null;
        netlink.close();
      });
      this.socket = netlink;
    }
    return this.socket;
  }
}

/**
 * The package's socket drops the NLMSG_DONE that ends a dump, but the kernel writes the dump's status into
 * it and may flag an interruption (NLM_F_DUMP_INTR) on that message alone. This one keeps it in the reply.
 */
class DoneKeepingSocket extends NetlinkSocket {
  protected override emitMessage(msg: NetlinkMessage | NetlinkMessage[], rinfo: MessageInfo): unknown {
    const last = Array.isArray(msg) ? msg[msg.length - 1] : undefined;
    // The package cuts the last message off a multipart reply: a repeated DONE leaves the original in.
    return super.emitMessage(Array.isArray(msg) && last?.type === NLMSG_DONE ? [...msg, last] : msg, rinfo);
  }
}

function checked(operation: string, messages: NetlinkMessage[]): ReplyMessage[] {
  const replies: ReplyMessage[] = [];
  for (const m of messages) {
    if (m.type !== NLMSG_ERROR && m.type !== NLMSG_DONE) {
      replies.push({ type: m.type, data: m.data });
      continue;
    }
    // Both start with a status: 0 (an ACK, a complete dump) or the negated errno.
    const errno = -m.data.readInt32LE(0);
    if (errno !== 0) throw new NetlinkError(operation, errno);
  }
  return replies;
}
