import * as net from 'node:net';

/** Signals the management interface can raise in the OpenVPN process (`signal <name>`). */
export type ManagementSignal = 'SIGHUP' | 'SIGTERM' | 'SIGUSR1' | 'SIGUSR2';

/** OpenVPN answered a command with `ERROR: …`. */
export class ManagementCommandError extends Error {
  constructor(
    readonly command: string,
    readonly response: string,
  ) {
    super(`openvpn management command "${command}": ${response}`);
    this.name = 'ManagementCommandError';
  }
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

interface PendingCommand extends Waiter<string[]> {
  command: string;
  lines: string[];
}

/**
 * A client of OpenVPN's management interface (`management <host> <port>`). Commands run one at a time in
 * call order. Real-time notifications (lines starting with `>`, e.g. `>STATE:` after `state on`) go to the
 * onNotification listeners, never into a command's answer. A command that times out closes the connection,
 * because a late answer would otherwise be taken for the next command's.
 */
export class ManagementClient {
  private bannerText = '';
  private bannerWaiter: Waiter<void> | undefined;
  private pending: PendingCommand | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closedReason: string | undefined;
  private readonly closed: Promise<void>;
  private readonly notificationListeners: ((line: string) => void)[] = [];
  private readonly closeListeners: ((reason: string) => void)[] = [];

  private constructor(
    private readonly socket: net.Socket,
    private readonly endpoint: string,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setEncoding('utf8');
    socket.on(
      'data',
      lineSplitter((line) => this.onLine(line)),
    );
    socket.on('error', (err) => this.shutDown(err.message));
    socket.on('close', () => this.shutDown('connection closed'));
  }

  /** The `>INFO:` banner text, e.g. `OpenVPN Management Interface Version 5 -- type 'help' for more info`. */
  get banner(): string {
    return this.bannerText;
  }

  /** Connects and waits for the `>INFO:` banner; rejects when both do not happen within `timeoutMs`. */
  static async connect(host: string, port: number, timeoutMs: number): Promise<ManagementClient> {
    const client = new ManagementClient(net.connect({ host, port }), `openvpn management ${host}:${port}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => client.shutDown(`no banner within ${timeoutMs} ms`), timeoutMs);
      client.bannerWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
    });
    return client;
  }

  /**
   * Sends one command and resolves with its answer: `[message]` for `SUCCESS: message`, or the lines before
   * `END` for multi-line answers (`version`, `state`, `status`). `ERROR: …` rejects with ManagementCommandError.
   */
  command(command: string, timeoutMs: number): Promise<string[]> {
    const run = this.queue.then(() => this.send(command, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Raises a signal in the OpenVPN process, e.g. SIGUSR1 to restart the tunnel; resolves with OpenVPN's confirmation. */
  async signal(name: ManagementSignal, timeoutMs: number): Promise<string> {
    const [message] = await this.command(`signal ${name}`, timeoutMs);
    return message;
  }

  /** Calls `listener` with every real-time notification line, `>` included (`>STATE:1700000000,CONNECTED,…`). */
  onNotification(listener: (line: string) => void): void {
    this.notificationListeners.push(listener);
  }

  /** Calls `listener` once when the connection ends, with the reason (OpenVPN exited, close(), a timeout). */
  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  /** Closes the connection; OpenVPN keeps running. */
  close(): Promise<void> {
    this.shutDown('connection closed by us');
    return this.closed;
  }

  private send(command: string, timeoutMs: number): Promise<string[]> {
    if (this.closedReason !== undefined) return Promise.reject(new Error(`${this.endpoint}: ${this.closedReason}`));
    if (/[\r\n]/.test(command)) return Promise.reject(new Error(`${this.endpoint}: a command must be one line`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.shutDown(`no answer to "${command}" within ${timeoutMs} ms`), timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.pending = undefined;
      };
      this.pending = {
        command,
        lines: [],
        resolve: (lines) => {
          settle();
          resolve(lines);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      this.socket.write(`${command}\n`);
    });
  }

  private onLine(line: string): void {
    if (line.startsWith('>INFO:') && this.bannerWaiter) {
      this.bannerText = line.slice('>INFO:'.length);
      this.bannerWaiter.resolve();
      this.bannerWaiter = undefined;
      return;
    }
    if (line.startsWith('>')) {
      for (const listener of this.notificationListeners) listener(line);
      return;
    }
    const pending = this.pending;
    if (pending === undefined) return;
    if (pending.lines.length === 0 && line.startsWith('SUCCESS:')) {
      pending.resolve([line.slice('SUCCESS:'.length).trim()]);
    } else if (pending.lines.length === 0 && line.startsWith('ERROR:')) {
      pending.reject(new ManagementCommandError(pending.command, line));
    } else if (line === 'END') {
      pending.resolve(pending.lines);
    } else {
      pending.lines.push(line);
    }
  }

  private shutDown(reason: string): void {
    if (this.closedReason === undefined) {
      this.closedReason = reason;
      for (const listener of this.closeListeners.splice(0)) listener(reason);
    }
    const err = new Error(`${this.endpoint}: ${reason}`);
    this.bannerWaiter?.reject(err);
    this.bannerWaiter = undefined;
    this.pending?.reject(err);
    this.socket.destroy();
  }
}

/** Turns a stream of text chunks into lines (CRLF or LF), keeping an unterminated tail for the next chunk. */
function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let tail = '';
  return (chunk) => {
    const parts = (tail + chunk).split('\n');
    tail = parts.pop() ?? '';
    for (const part of parts) onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
  };
}
