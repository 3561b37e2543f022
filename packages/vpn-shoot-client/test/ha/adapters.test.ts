import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { managementRestarter } from '../../src/ha/management';
import { startReadinessServer } from '../../src/ha/readiness-server';

describe('ha runtime adapters', () => {
  it('/readyz answers 200 ok or 503 with the reason, to any method; other paths 404', async () => {
    let ready = { ready: false, reason: 'no seed pod heard from' };
    const server = await startReadinessServer(0, () => ready, '127.0.0.1');
    try {
      const get = async (path: string, method = 'GET') => {
        const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
        return [res.status, await res.text()];
      };
      assert.deepEqual(await get('/readyz'), [503, 'no seed pod heard from']);
      ready = { ready: true, reason: 'ok' };
      assert.deepEqual(await get('/readyz?verbose'), [200, 'ok']);
      assert.deepEqual(await get('/readyz', 'POST'), [200, 'ok']);
      assert.deepEqual(await get('/healthz'), [404, 'not found']);
    } finally {
      await server.close();
    }
  });

  it('restarts server s through the management port base + s with SIGUSR1', async () => {
    const commands: string[] = [];
    const management = net.createServer((socket) => {
      socket.write('>INFO:OpenVPN Management Interface Version 5 -- type \'help\' for more info\r\n');
      socket.on('data', (chunk) => {
        commands.push(...chunk.toString().split('\n').filter(Boolean));
        socket.write('SUCCESS: signal SIGUSR1 thrown\r\n');
      });
    });
    await new Promise<void>((resolve) => management.listen(0, '127.0.0.1', resolve));
    const port = (management.address() as net.AddressInfo).port;
    try {
      await managementRestarter('127.0.0.1', port - 2)(2);
      assert.deepEqual(commands, ['signal SIGUSR1']);
    } finally {
      await new Promise((resolve) => management.close(resolve));
    }
  });
});
