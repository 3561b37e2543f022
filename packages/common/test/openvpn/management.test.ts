import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import { ManagementClient, ManagementCommandError } from '../../src/openvpn/management';

const BANNER = ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info";

/** Answers one received command: text chunks written one after another, or nothing (a hanging daemon). */
type Answer = (command: string) => string[] | undefined;

/** A stand-in for OpenVPN's management port on 127.0.0.1 that records what it receives. */
class FakeManagement {
  readonly received: string[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** `banner: null` stands for a port that accepts but never greets. */
  static async start(answer: Answer, banner: string | null = `${BANNER}\r\n`): Promise<FakeManagement> {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const fake = new FakeManagement(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (socket) => fake.serve(socket, answer, banner));
    return fake;
  }

  private serve(socket: net.Socket, answer: Answer, banner: string | null): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // A client that closes with data unread resets the connection; an unhandled socket error would end the run.
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    if (banner !== null) socket.write(banner);
    let tail = '';
    // OpenVPN answers one command after the other, however the bytes of the commands arrive.
    let answering = Promise.resolve();
    socket.on('data', (chunk: string) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop() ?? '';
      answering = answering.then(() => this.answerAll(socket, answer, lines));
    });
  }

  private async answerAll(socket: net.Socket, answer: Answer, commands: readonly string[]): Promise<void> {
    for (const command of commands) {
      this.received.push(command);
      for (const part of answer(command) ?? []) {
        socket.write(part);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('openvpn management client', () => {
  let fake: FakeManagement | undefined;
  let client: ManagementClient | undefined;

  afterEach(async () => {
    await client?.close();
    await fake?.stop();
    client = undefined;
    fake = undefined;
  });

  it('reads the banner and returns multi-line answers without notifications, across chunk borders', async () => {
    fake = await FakeManagement.start((command) =>
      command === 'version'
        ? ['>HOLD:Waiting for hold release:0\r\nOpenVPN Version: OpenVPN 2.6.14\r\nManage', 'ment Version: 5\r\n>LOG:x\r\nEN', 'D\r\n']
        : undefined,
    );
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    assert.equal(client.banner, "OpenVPN Management Interface Version 5 -- type 'help' for more info");
    assert.deepEqual(await client.command('version', 1000), ['OpenVPN Version: OpenVPN 2.6.14', 'Management Version: 5']);
  });

  it('reads a banner that arrives together with a notification', async () => {
    fake = await FakeManagement.start(() => ['SUCCESS: hold=1\r\n'], `${BANNER}\r\n>HOLD:Waiting for hold release:0\r\n`);
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    assert.deepEqual(await client.command('hold', 1000), ['hold=1']);
  });

  it('sends signals and resolves with the confirmation', async () => {
    fake = await FakeManagement.start((command) => [`SUCCESS: ${command} thrown\r\n`]);
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    assert.equal(await client.signal('SIGUSR1', 1000), 'signal SIGUSR1 thrown');
    assert.deepEqual(fake.received, ['signal SIGUSR1']);
  });

  it('rejects ERROR answers with their text and stays usable', async () => {
    fake = await FakeManagement.start((command) =>
      command === 'bogus' ? ["ERROR: unknown command, enter 'help' for more options\r\n"] : ['1795478219,CONNECTING,,,,,,\r\nEND\r\n'],
    );
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    await assert.rejects(client.command('bogus', 1000), (err: unknown) => {
      assert.ok(err instanceof ManagementCommandError);
      assert.equal(err.command, 'bogus');
      assert.equal(err.response, "ERROR: unknown command, enter 'help' for more options");
      return true;
    });
    assert.deepEqual(await client.command('state', 1000), ['1795478219,CONNECTING,,,,,,']);
  });

  it('sends concurrent commands one at a time, in call order', async () => {
    const answered: string[] = [];
    fake = await FakeManagement.start((command) => {
      answered.push(`${command} after ${fake?.received.length}`);
      return [`SUCCESS: ${command}\r\n`];
    });
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    const results = await Promise.all(['a', 'b', 'c'].map((command) => client!.command(command, 1000)));
    assert.deepEqual(results, [['a'], ['b'], ['c']]);
    assert.deepEqual(answered, ['a after 1', 'b after 2', 'c after 3']);
  });

  it('rejects a command containing a line break without sending it', async () => {
    fake = await FakeManagement.start(() => ['SUCCESS: ok\r\n']);
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    await assert.rejects(client.command('state\nsignal SIGTERM', 1000), /a command must be one line/);
    assert.deepEqual(await client.command('state', 1000), ['ok']);
    assert.deepEqual(fake.received, ['state']);
  });

  it('gives up when no banner arrives in time', async () => {
    fake = await FakeManagement.start(() => undefined, null);
    const started = Date.now();
    await assert.rejects(
      ManagementClient.connect('127.0.0.1', fake.port, 100),
      new RegExp(`^Error: openvpn management 127.0.0.1:${fake.port}: no banner within 100 ms$`),
    );
    assert.ok(Date.now() - started < 1000);
  });

  it('reports a refused connection', async () => {
    const port = await closedPort();
    await assert.rejects(ManagementClient.connect('127.0.0.1', port, 1000), /ECONNREFUSED/);
  });

  it('closes the connection when a command gets no answer in time', async () => {
    fake = await FakeManagement.start(() => undefined);
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    await assert.rejects(client.command('hang', 100), /: no answer to "hang" within 100 ms$/);
    await assert.rejects(client.command('state', 1000), /: no answer to "hang" within 100 ms$/);
    assert.deepEqual(fake.received, ['hang']);
  });

  it('rejects the running command when OpenVPN closes the connection', async () => {
    fake = await FakeManagement.start(() => {
      fake?.dropConnections();
      return undefined;
    });
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    await assert.rejects(client.command('signal SIGTERM', 1000), /: connection closed$/);
  });

  it('hands notifications to the listeners, also those that arrive in the middle of an answer', async () => {
    fake = await FakeManagement.start((command) =>
      command === 'state on'
        ? ['>STATE:1700000000,RECONNECTING,conn', 'ection-reset,,,,,\r\nSUCCESS: real-time state notification set to ON\r\n']
        : undefined,
    );
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    const notifications: string[] = [];
    client.onNotification((line) => notifications.push(line));
    assert.deepEqual(await client.command('state on', 1000), ['real-time state notification set to ON']);
    assert.deepEqual(notifications, ['>STATE:1700000000,RECONNECTING,connection-reset,,,,,']);
  });

  it('tells the close listeners once why the connection ended', async () => {
    fake = await FakeManagement.start(() => undefined);
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    const reasons: string[] = [];
    client.onClose((reason) => reasons.push(reason));
    const closed = new Promise((resolve) => client?.onClose(resolve));
    fake.dropConnections();
    await closed;
    await client.close();
    client.onClose((reason) => reasons.push(`late: ${reason}`));
    assert.deepEqual(reasons, ['connection closed', 'late: connection closed']);
  });

  it('refuses commands after close', async () => {
    fake = await FakeManagement.start(() => ['SUCCESS: ok\r\n']);
    client = await ManagementClient.connect('127.0.0.1', fake.port, 1000);
    await client.close();
    await assert.rejects(client.command('state', 1000), /: connection closed by us$/);
    assert.deepEqual(fake.received, []);
  });
});

describe('openvpn management client against the openvpn binary', () => {
  let openvpn: ChildProcess | undefined;
  let client: ManagementClient | undefined;
  let port = 0;

  before(async function () {
    this.timeout(10_000);
    // Port 0 lets the kernel choose a free port; OpenVPN logs the one it got.
    openvpn = spawn('openvpn', ['--dev', 'null', '--management', '127.0.0.1', '0', '--management-hold', '--verb', '3'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    port = await new Promise<number>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`openvpn did not open its management port:\n${log}`)), 5000);
      openvpn!.stdout!.setEncoding('utf8');
      openvpn!.stdout!.on('data', (chunk: string) => {
        log += chunk;
        const match = /MANAGEMENT: TCP Socket listening on \[AF_INET\]127\.0\.0\.1:(\d+)/.exec(log);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      openvpn!.once('exit', (code) => reject(new Error(`openvpn exited with ${code}:\n${log}`)));
    });
  });

  after(async () => {
    await client?.close();
    if (openvpn && openvpn.exitCode === null && openvpn.signalCode === null) openvpn.kill('SIGKILL');
  });

  it('reads the banner, answers version and state, rejects an unknown command', async () => {
    client = await ManagementClient.connect('127.0.0.1', port, 2000);
    assert.match(client.banner, /^OpenVPN Management Interface Version \d+/);
    const version = await client.command('version', 2000);
    assert.match(version[0], /^OpenVPN Version: OpenVPN 2\.\d+/);
    assert.match(version.at(-1) ?? '', /^Management Version: \d+$/);
    const state = await client.command('state', 2000);
    assert.equal(state.length, 1);
    assert.match(state[0], /^\d+,CONNECTING,/);
    await assert.rejects(client.command('no-such-command', 2000), /ERROR: unknown command/);
  });

  it('reports state changes after `state on`', async () => {
    const states: string[] = [];
    client!.onNotification((line) => states.push(line));
    assert.deepEqual(await client!.command('state on', 2000), ['real-time state notification set to ON']);
    await client!.command('hold release', 2000);
    const deadline = Date.now() + 5000;
    while (!states.some((line) => /^>STATE:\d+,/.test(line)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(
      states.some((line) => /^>STATE:\d+,[A-Z_]+,/.test(line)),
      `no state notification: ${JSON.stringify(states)}`,
    );
  });

  it('ends the process with signal SIGTERM, which the client sees as a closed connection', async () => {
    const exited = new Promise<number | null>((resolve) => openvpn!.once('exit', resolve));
    const closed = new Promise<string>((resolve) => client!.onClose(resolve));
    assert.equal(await client!.signal('SIGTERM', 2000), 'signal SIGTERM thrown');
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('openvpn still runs 5 s after SIGTERM')), 5000)),
    ]);
    assert.equal(code, 0);
    assert.equal(await closed, 'connection closed');
  });
});
