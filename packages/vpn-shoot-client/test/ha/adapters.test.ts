import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { managementRestarter } from '../../src/ha/management';
import { silentLogger } from '@vpn/common';
import { CONTROLLER_HTTP_LIMITS, metricsEndpoint, readinessEndpoint, startHttpServer } from '../../src/ha/http-server';
import { PathMetrics } from '../../src/ha/path-metrics';
import { TunnelMetrics } from '../../src/ha/tunnel-metrics';

describe('ha runtime adapters', () => {
  it('/readyz answers 200 ok or 503 with the reason, to any method; other paths 404', async () => {
    let ready = { ready: false, reason: 'no seed pod heard from' };
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      endpoints: { '/readyz': readinessEndpoint(() => ready) },
      logger: silentLogger,
    });
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

  it('GET /metrics answers in the Prometheus text format, beside /readyz on one server', async () => {
    const path = new PathMetrics();
    path.pathRole({ server: 1, client: 0 }, 'active');
    path.probeSent({ server: 1, client: 0 }, 'active');
    path.roundTrip({ server: 1, client: 0 }, 3);
    path.probesLost({ server: 0, client: 0 }, 3);
    path.activePathSwitched('active_path_dead');
    const tunnel = new TunnelMetrics();
    tunnel.announcementAccepted(1);
    tunnel.announcementRefused('stale_epoch');
    tunnel.returnRoutes(2);
    tunnel.watchdogRestart(0);
    const seed = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      endpoints: { '/metrics': metricsEndpoint(path) },
      logger: silentLogger,
    });
    const shoot = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      endpoints: { '/readyz': readinessEndpoint(() => ({ ready: true, reason: 'ok' })), '/metrics': metricsEndpoint(tunnel) },
      logger: silentLogger,
    });
    try {
      const scrape = async (port: number): Promise<string[]> => {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
        return (await res.text()).split('\n');
      };
      const seedLines = await scrape(seed.port);
      for (const line of [
        '# TYPE vpn_path_controller_path_state gauge',
        'vpn_path_controller_path_state{server="1",client="0",state="active"} 1',
        'vpn_path_controller_path_state{server="1",client="0",state="down"} 0',
        '# TYPE vpn_path_controller_probe_rtt_seconds histogram',
        'vpn_path_controller_probe_rtt_seconds_bucket{le="0.005",server="1",client="0"} 1',
        'vpn_path_controller_probe_rtt_seconds_count{server="1",client="0"} 1',
        'vpn_path_controller_probes_sent_total{server="1",client="0"} 1',
        'vpn_path_controller_probes_lost_total{server="0",client="0"} 3',
        'vpn_path_controller_active_path_switches_total{reason="active_path_dead"} 1',
        'vpn_path_controller_active_path_switches_total{reason="initial"} 0',
        'vpn_path_controller_announcements_sent_total{role="active"} 1',
      ]) {
        assert.ok(seedLines.includes(line), `${line}\nnot in\n${seedLines.join('\n')}`);
      }
      const shootLines = await scrape(shoot.port);
      for (const line of [
        'vpn_tunnel_controller_announcements_accepted_total{server="1"} 1',
        'vpn_tunnel_controller_announcements_refused_total{reason="stale_epoch"} 1',
        'vpn_tunnel_controller_announcements_refused_total{reason="rate_limited"} 0',
        'vpn_tunnel_controller_return_routes 2',
        'vpn_tunnel_controller_watchdog_restarts_total{server="0"} 1',
      ]) {
        assert.ok(shootLines.includes(line), `${line}\nnot in\n${shootLines.join('\n')}`);
      }
      assert.equal(await (await fetch(`http://127.0.0.1:${shoot.port}/readyz`)).text(), 'ok');
    } finally {
      await Promise.all([seed.close(), shoot.close()]);
    }
  });

  it(`closes connections beyond ${CONTROLLER_HTTP_LIMITS.maxConnections} as they arrive`, async () => {
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      endpoints: {},
      logger: silentLogger,
      limits: { ...CONTROLLER_HTTP_LIMITS, maxConnections: 2 },
    });
    const sockets: net.Socket[] = [];
    try {
      const open = () =>
        new Promise<net.Socket>((resolve) => {
          const socket = net.connect(server.port, '127.0.0.1', () => resolve(socket));
          sockets.push(socket);
        });
      await open();
      await open();
      const third = await open();
      await new Promise((resolve) => third.once('close', resolve));
      assert.equal(sockets[0].destroyed, false);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  });

  it('restarts server s through the management port base + s with SIGUSR1', async () => {
    const commands: string[] = [];
    const management = net.createServer((socket) => {
      socket.write(">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n");
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
