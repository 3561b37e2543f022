import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import * as net from 'node:net';
import type { TcpConnectionId } from '@vpn/common';
import type { ServerConnectionEvents, Watch } from '../../src/ha/ports';
import { connectedTcpConnection, managementConnectionWatcher } from '../../src/ha/server-connection';
import { captureLogger } from './support/capture-logger';

const BANNER = ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n";

/** OpenVPN's management port as the watcher uses it: banner, `state on`, then whatever the test pushes. */
class FakeClientManagement {
  readonly commands: string[] = [];
  readonly sockets: net.Socket[] = [];
  /** How many `state on` commands are still answered with an error. */
  refuseStateOn = 0;
  /** The answer to `state`: the client's current state line. */
  currentState = '1700000000,CONNECTING,,,,,,,';
  private constructor(readonly server: net.Server) {}

  static async start(port = 0): Promise<FakeClientManagement> {
    const server = net.createServer();
    const fake = new FakeClientManagement(server);
    server.on('connection', (socket) => {
      fake.sockets.push(socket);
      // The watcher closing its connection may reset it; an unhandled socket error would end the test run.
      socket.on('error', () => socket.destroy());
      socket.write(BANNER);
      socket.on('data', (chunk) => {
        for (const command of chunk.toString().split('\n').filter(Boolean)) {
          fake.commands.push(command.trim());
          if (command.trim() === 'state') socket.write(`${fake.currentState}\r\nEND\r\n`);
          if (command.trim() !== 'state on') continue;
          if (fake.refuseStateOn-- > 0) socket.write('ERROR: state on refused\r\n');
          else socket.write('SUCCESS: real-time state notification set to ON\r\n');
        }
      });
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  push(line: string): void {
    for (const socket of this.sockets) if (!socket.destroyed) socket.write(`${line}\r\n`);
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** Watches the client of `server` (default 0) whose management port is `port`, with a captured log. */
function watchClient(
  port: number,
  events: Partial<ServerConnectionEvents>,
  server = 0,
): { watch: Watch; log: ReturnType<typeof captureLogger> } {
  const log = captureLogger();
  const all = { lost: () => undefined, connected: () => undefined, ...events };
  return { watch: managementConnectionWatcher(log.logger, '127.0.0.1', port - server, 20)(server, all), log };
}

async function until(done: () => boolean, what: string): Promise<void> {
  // Generous: these are real sockets and timers on a machine that may be busy with other tests.
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ha server connection watch (OpenVPN management state notifications, real sockets)', () => {
  it('reports RECONNECTING and EXITING of the client of server s (port base + s), not the other states', async () => {
    const fake = await FakeClientManagement.start();
    const lost: string[] = [];
    const { watch } = watchClient(fake.port, { lost: (reason) => lost.push(reason) }, 1);
    try {
      await until(() => fake.commands.includes('state on'), 'state on');
      fake.push('>STATE:1700000000,CONNECTED,SUCCESS,fd8f::1,,,,');
      fake.push('>STATE:1700000001,RECONNECTING,connection-reset,,,,,');
      fake.push('>LOG:1700000001,I,Connection reset, restarting [0]');
      fake.push('>STATE:1700000002,TCP_CONNECT,,,,,,');
      fake.push('>STATE:1700000003,EXITING,SIGTERM,,,,,');
      await until(() => lost.length === 2, 'two losses');
      assert.deepEqual(lost, ['reconnecting (connection-reset)', 'exiting (SIGTERM)']);
    } finally {
      await watch.close();
      await fake.stop();
    }
  });

  it("reports the client's TCP connection: the current one when it starts watching, then each new one", async () => {
    const fake = await FakeClientManagement.start();
    fake.currentState = '1700000000,CONNECTED,SUCCESS,,10.0.0.1,1194,10.200.0.10,40000,fd8f:6d53:b97a:1::100:1000';
    const connected: TcpConnectionId[] = [];
    const { watch } = watchClient(fake.port, { connected: (connection) => connected.push(connection) });
    try {
      await until(() => connected.length === 1, 'the current connection');
      assert.deepEqual(fake.commands, ['state on', 'state']);
      fake.push('>STATE:1700000005,CONNECTED,SUCCESS,,fd00:10::1,1194,fd00:200::10,40002,fd8f:6d53:b97a:1::100:1001');
      await until(() => connected.length === 2, 'the new connection');
      assert.deepEqual(connected, [
        { local: { address: '10.200.0.10', port: 40000 }, remote: { address: '10.0.0.1', port: 1194 } },
        { local: { address: 'fd00:200::10', port: 40002 }, remote: { address: 'fd00:10::1', port: 1194 } },
      ]);
    } finally {
      await watch.close();
      await fake.stop();
    }
  });

  it('reads a connection only from CONNECTED lines with both ends', () => {
    assert.equal(connectedTcpConnection('>STATE:1700000000,CONNECTED,SUCCESS,fd8f::1,,,,'), undefined, 'no ends');
    assert.equal(connectedTcpConnection('>STATE:1700000000,CONNECTED,SUCCESS,,10.0.0.1,1194,,,fd8f::1'), undefined, 'no local end (UDP)');
    assert.equal(connectedTcpConnection('>STATE:1700000000,TCP_CONNECT,,,10.0.0.1,1194,10.0.0.2,4000,'), undefined, 'not connected');
    assert.equal(connectedTcpConnection('>STATE:1700000000,CONNECTED,SUCCESS,,10.0.0.1,1194,fd00::2,4000,'), undefined, 'mixed families');
    assert.equal(connectedTcpConnection('>STATE:1700000000,CONNECTED,SUCCESS,,10.0.0.1,70000,10.0.0.2,4000,'), undefined, 'bad port');
    assert.equal(connectedTcpConnection('>STATE:1700000000,CONNECTED,SUCCESS,,vpn-seed-server,1194,10.0.0.2,4000,'), undefined, 'a name');
  });

  it('reports the end of the management connection as a loss and watches the restarted client again', async () => {
    let fake = await FakeClientManagement.start();
    const port = fake.port;
    const lost: string[] = [];
    const { watch, log } = watchClient(port, { lost: (reason) => lost.push(reason) });
    try {
      await until(() => fake.commands.includes('state on'), 'state on');
      await fake.stop();
      await until(() => lost.length === 1, 'the loss');
      assert.deepEqual(lost, ['management connection ended: connection closed']);
      await until(() => log.lines.some((l) => l.startsWith('info OpenVPN client management not reachable yet')), 'the retry log');
      fake = await FakeClientManagement.start(port);
      await until(() => fake.commands.includes('state on'), 'state on after the restart');
      assert.equal(
        log.lines.filter((l) => l.startsWith('info OpenVPN client management not reachable yet')).length,
        1,
        'logged once per streak',
      );
    } finally {
      await watch.close();
      await fake.stop();
    }
    assert.equal(lost.length, 1, 'closing the watch is no loss');
  });
  it('retries a client that refuses state notifications, without reporting a loss', async () => {
    const fake = await FakeClientManagement.start();
    fake.refuseStateOn = 2;
    const lost: string[] = [];
    const { watch, log } = watchClient(fake.port, { lost: (reason) => lost.push(reason) });
    try {
      await until(() => log.lines.some((l) => l.startsWith('info watching OpenVPN client state')), 'the third state on');
      assert.equal(fake.commands.filter((c) => c === 'state on').length, 3);
      assert.equal(log.lines.filter((l) => l.startsWith('warn could not turn on OpenVPN client state notifications')).length, 2);
      assert.deepEqual(lost, []);
    } finally {
      await watch.close();
      await fake.stop();
    }
  });
});
