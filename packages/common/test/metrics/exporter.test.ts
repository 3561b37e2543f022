import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, silentLogger } from '../../src/log';
import { createExporterMetrics } from '../../src/metrics/exporter-metrics';
import { EXPORTER_LIMITS, RunningExporter, startExporter } from '../../src/metrics/exporter-server';
import { statusSeries } from '../../src/metrics/openvpn-metrics';
import { parseStatus } from '../../src/openvpn/status';

const STATUS = path.resolve(__dirname, '../../../test/fixtures/status');
const PROC = path.resolve(__dirname, '../../../test/fixtures/proc');
const NONHA = path.join(STATUS, 'openvpn26-nonha-ready.status');
const HA = path.join(STATUS, 'openvpn-ha-ready.status');
const BAD_CLIENT = path.join(STATUS, 'openvpn-bad-client.status');
const BROKEN = path.join(STATUS, 'malformed/undef-real-address.status');
const MISSING = path.join(STATUS, 'missing.status');

/** A TCP connection to the exporter, once established. */
function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sent until it closed the connection; fails if it stays open longer than `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms, received ${JSON.stringify(received)}`)), ms);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

/** The sample lines (no comments) of an exposition. */
const samples = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('metrics exporter', () => {
  let exporter: RunningExporter | undefined;
  let logLines: string[] = [];
  const logger = createLogger({ style: 'iso', write: (l) => logLines.push(l) });

  async function start(statusPaths: string[], procRoot = PROC): Promise<string> {
    exporter = await startExporter({ port: 0, host: '127.0.0.1', statusPaths, procRoot, logger });
    return `http://127.0.0.1:${exporter.port}`;
  }
  async function scrape(statusPaths: string[], procRoot = PROC): Promise<string> {
    const res = await fetch(`${await start(statusPaths, procRoot)}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return res.text();
  }

  afterEach(async () => {
    await exporter?.close();
    exporter = undefined;
    logLines = [];
  });

  it('exports the kumina server metrics with their labels and types', async () => {
    const text = await scrape([NONHA]);
    const p = NONHA;
    const client = `status_path="${p}",common_name="vpn-shoot-client",connection_time="1784275200",real_address="100.64.3.32:41392",virtual_address="",username="UNDEF"`;
    const route = (va: string) =>
      `status_path="${p}",common_name="vpn-shoot-client",real_address="100.64.3.32:41392",virtual_address="${va}"`;
    const lines = samples(text).filter((l) => l.startsWith('openvpn_'));
    assert.deepEqual(lines, [
      `openvpn_up{status_path="${p}"} 1`,
      `openvpn_status_update_time_seconds{status_path="${p}"} 1784280670`,
      `openvpn_server_connected_clients{status_path="${p}"} 1`,
      `openvpn_server_client_received_bytes_total{${client}} 1234567`,
      `openvpn_server_client_sent_bytes_total{${client}} 7654321`,
      `openvpn_server_route_last_reference_time_seconds{${route('243.0.0.0/8')}} 1784275200`,
      `openvpn_server_route_last_reference_time_seconds{${route('242.0.140.197C')}} 1784280665`,
      `openvpn_server_route_last_reference_time_seconds{${route('fd8f:6d53:b97a:1::1000')}} 1784280668`,
      'openvpn_netstat_Tcp_OutSegs 123456',
      'openvpn_netstat_Tcp_RetransSegs 789',
    ]);
    for (const [name, type] of [
      ['openvpn_up', 'gauge'],
      ['openvpn_status_update_time_seconds', 'gauge'],
      ['openvpn_server_connected_clients', 'gauge'],
      ['openvpn_server_client_received_bytes_total', 'counter'],
      ['openvpn_server_client_sent_bytes_total', 'counter'],
      ['openvpn_server_route_last_reference_time_seconds', 'gauge'],
      ['openvpn_netstat_Tcp_OutSegs', 'gauge'],
      ['openvpn_netstat_Tcp_RetransSegs', 'gauge'],
    ]) {
      assert.ok(text.includes(`# TYPE ${name} ${type}\n`), `${name} ${type}`);
    }
    assert.ok(text.includes('# HELP openvpn_netstat_Tcp_RetransSegs Statistic TcpRetransSegs.\n'));
    assert.match(text, /^process_cpu_user_seconds_total \d/m);
    assert.match(text, /^process_start_time_seconds \d/m);
  });

  it('labels the real address verbatim, 2.7 notation included', async () => {
    const text = await scrape([HA]);
    assert.ok(
      text.includes(
        `common_name="vpn-seed-client",connection_time="1784280300",real_address="tcp6:[fd43:7ff4:965a::4]:42124",virtual_address="",username="UNDEF"} 500`,
      ),
    );
    assert.ok(
      text.includes(
        `openvpn_server_route_last_reference_time_seconds{status_path="${HA}",common_name="vpn-shoot-client-0",real_address="tcp6-server:100.64.5.13:47764",virtual_address="de:23:94:06:67:04@0"} 1784280665`,
      ),
    );
    assert.ok(text.includes(`openvpn_server_connected_clients{status_path="${HA}"} 4`));
  });

  it('keeps scraping a file with a half-open UNDEF client (openvpn_up stays 1)', async () => {
    const text = await scrape([BAD_CLIENT]);
    assert.ok(text.includes(`openvpn_up{status_path="${BAD_CLIENT}"} 1`));
    assert.ok(text.includes(`openvpn_server_connected_clients{status_path="${BAD_CLIENT}"} 2`));
    assert.ok(
      text.includes(
        `common_name="UNDEF",connection_time="1784280666",real_address="10.64.100.31:50380",virtual_address="",username="UNDEF"} 0`,
      ),
    );
  });

  it('reports openvpn_up 0 and nothing else for a broken or missing file, next to a good one', async () => {
    const lines = samples(await scrape([BROKEN, NONHA, MISSING])).filter(
      (l) => l.startsWith('openvpn_') && !l.startsWith('openvpn_netstat'),
    );
    assert.deepEqual(
      lines.filter((l) => l.includes(BROKEN) || l.includes(MISSING)),
      [`openvpn_up{status_path="${BROKEN}"} 0`, `openvpn_up{status_path="${MISSING}"} 0`],
    );
    assert.ok(lines.includes(`openvpn_up{status_path="${NONHA}"} 1`));
    assert.ok(logLines.some((l) => l.includes('cannot scrape OpenVPN status') && l.includes('invalid address format: UNDEF')));
  });

  it('keeps byte counters above 2^53 exact, as the file has them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'exporter-test-'));
    try {
      const file = path.join(dir, 'openvpn.status');
      writeFileSync(file, readFileSync(NONHA, 'utf8').replace(',1234567,7654321,', ',9007199254740993,18446744073709551615,'));
      const lines = samples(await scrape([file]));
      assert.ok(lines.some((l) => l.startsWith('openvpn_server_client_received_bytes_total{') && l.endsWith('} 9007199254740993')));
      assert.ok(lines.some((l) => l.startsWith('openvpn_server_client_sent_bytes_total{') && l.endsWith('} 18446744073709551615')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports an empty file (before OpenVPN's first status) as openvpn_up 0 and logs why", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'exporter-test-'));
    try {
      const file = path.join(dir, 'openvpn.status');
      writeFileSync(file, '');
      assert.deepEqual(
        samples(await scrape([file])).filter((l) => l.startsWith('openvpn_') && !l.startsWith('openvpn_netstat')),
        [`openvpn_up{status_path="${file}"} 0`],
      );
      assert.ok(logLines.some((l) => l.includes(`${file}: empty: OpenVPN has not written a status yet`)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes connections beyond its limit as they arrive and keeps serving the others', async () => {
    exporter = await startExporter({
      port: 0,
      host: '127.0.0.1',
      statusPaths: [NONHA],
      procRoot: PROC,
      logger,
      limits: { ...EXPORTER_LIMITS, maxConnections: 2 },
    });
    const sockets = [await connected(exporter.port), await connected(exporter.port)];
    try {
      const third = await connected(exporter.port);
      assert.equal(await closedWithin(third, 2000), '', 'the third connection is closed without an answer');
      sockets[0]?.write('GET /metrics HTTP/1.1\r\nHost: exporter\r\nConnection: close\r\n\r\n');
      assert.match(await closedWithin(sockets[0], 5000), /^HTTP\/1\.1 200 OK\r\n[^]*openvpn_up\{/);
    } finally {
      for (const socket of sockets) socket?.destroy();
    }
  });

  it('answers 408 and closes a connection whose headers trickle in slower than the request time allows', async () => {
    const limits = { maxConnections: 16, requestTimeoutMs: 300, timeoutCheckIntervalMs: 50 };
    exporter = await startExporter({ port: 0, host: '127.0.0.1', statusPaths: [NONHA], procRoot: PROC, logger, limits });
    const socket = await connected(exporter.port);
    const started = Date.now();
    socket.write('GET /metrics HTTP/1.1\r\nHost: exporter\r\nX-Slow: ');
    // A byte every 50 ms keeps the socket from ever being idle, so only the request time limit can end it.
    const trickle = setInterval(() => socket.writable && socket.write('a'), 50);
    try {
      assert.match(await closedWithin(socket, 3000), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    } finally {
      clearInterval(trickle);
    }
    assert.ok(Date.now() - started >= limits.requestTimeoutMs - 50, `closed after ${Date.now() - started} ms`);
  });

  it('re-reads the files on every scrape', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'exporter-test-'));
    try {
      const file = path.join(dir, 'openvpn.status');
      writeFileSync(file, readFileSync(NONHA));
      const base = await start([file]);
      assert.ok((await (await fetch(`${base}/metrics`)).text()).includes(`openvpn_up{status_path="${file}"} 1`));
      writeFileSync(file, 'garbage\n');
      const second = await (await fetch(`${base}/metrics`)).text();
      assert.ok(second.includes(`openvpn_up{status_path="${file}"} 0`));
      assert.ok(!second.includes('openvpn_server_client_received_bytes_total{'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('emits no netstat samples when /proc/net cannot be read, and logs why', async () => {
    const root = path.join(STATUS, 'no-proc-here');
    const text = await scrape([NONHA], root);
    assert.deepEqual(
      samples(text).filter((l) => l.startsWith('openvpn_netstat')),
      [],
    );
    assert.ok(text.includes(`openvpn_up{status_path="${NONHA}"} 1`));
    assert.ok(logLines.some((l) => l.includes(`couldn't get netstats: open ${root}/net/netstat: no such file or directory`)));
  });

  it('skips and logs a netstat value that is not a number', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'exporter-proc-'));
    try {
      cpSync(PROC, root, { recursive: true });
      const snmp = path.join(root, 'net/snmp');
      writeFileSync(snmp, readFileSync(snmp, 'utf8').replace(' 123456 789 ', ' 123456 x '));
      const netstat = samples(await scrape([NONHA], root)).filter((l) => l.startsWith('openvpn_netstat'));
      assert.deepEqual(netstat, ['openvpn_netstat_Tcp_OutSegs 123456']);
      assert.ok(logLines.some((l) => l.includes('cannot parse netstat value stat=Tcp_RetransSegs value=x')));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('serves an HTML page on / and 404 elsewhere', async () => {
    const base = await start([NONHA]);
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await index.text(), /<a href="\/metrics">/);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  });

  it('rejects a port in use', async () => {
    await start([NONHA]);
    await assert.rejects(
      startExporter({ port: exporter!.port, host: '127.0.0.1', statusPaths: [NONHA], procRoot: PROC, logger: silentLogger }),
      {
        code: 'EADDRINUSE',
      },
    );
  });
});

describe('exporter metrics: concurrent scrapes', () => {
  it('share one read of the status files and one rendering; a later scrape reads again', async () => {
    let reads = 0;
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const readStatus = async (file: string) => {
      reads++;
      await gate;
      return parseStatus(readFileSync(file, 'utf8'));
    };
    const metrics = createExporterMetrics({ statusPaths: [NONHA, HA], procRoot: PROC, logger: silentLogger, readStatus });
    const concurrent = [metrics.scrape(), metrics.scrape(), metrics.scrape()];
    release();
    const texts = await Promise.all(concurrent);
    assert.equal(reads, 2, 'one read per status path');
    assert.ok(texts.every((t) => t === texts[0]));
    await metrics.scrape();
    assert.equal(reads, 4);
  });
});

describe('status series', () => {
  const header =
    'HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,Client ID,Peer ID,Data Channel Cipher';

  it('keeps the first of rows with identical label sets, but every distinct connection', () => {
    const status = parseStatus(
      [
        'TIME,2026-07-17 09:31:10,1784280670',
        header,
        'CLIENT_LIST,UNDEF,10.0.0.1:1,,,0,0,2026-07-17 09:31:06,1784280666,UNDEF,1,0,BF-CBC',
        'CLIENT_LIST,UNDEF,10.0.0.1:1,,,5,5,2026-07-17 09:31:06,1784280666,UNDEF,2,0,BF-CBC',
        'CLIENT_LIST,vpn-shoot-client,10.0.0.2:2,,,7,8,2026-07-17 09:31:06,1784280666,UNDEF,3,0,AES-256-GCM',
        // kumina drops this row, as each of its label values appeared somewhere above.
        'CLIENT_LIST,UNDEF,10.0.0.2:2,,,9,9,2026-07-17 09:31:06,1784280666,UNDEF,4,0,BF-CBC',
        'END',
      ].join('\n'),
    );
    const series = statusSeries('/s', status);
    assert.equal(series.connectedClients, 4);
    assert.deepEqual(
      series.clients.map((c) => [c.labels.common_name, c.labels.real_address, c.receivedBytes]),
      [
        ['UNDEF', '10.0.0.1:1', 0n],
        ['vpn-shoot-client', '10.0.0.2:2', 7n],
        ['UNDEF', '10.0.0.2:2', 9n],
      ],
    );
  });

  it('fails on a unix-time column that is not a number, naming the path', () => {
    const status = parseStatus('TIME,2026-07-17 09:31:10,soon\nEND');
    assert.throws(() => statusSeries('/s', status), { name: 'InputError', message: '/s: TIME: not a unix time: "soon"' });
    const route = parseStatus('ROUTING_TABLE,243.0.0.0/8,c,1.2.3.4:5,2026-07-17 09:31:10\nEND');
    assert.throws(() => statusSeries('/s', route), { message: '/s: ROUTING_TABLE Last Ref (time_t): not a unix time: ""' });
  });
});
