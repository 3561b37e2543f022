import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseProcNetPairs, parseSnmp6, readNetStats } from '../../src/metrics/netstat';

const PROC = path.resolve(__dirname, '../../../test/fixtures/proc');
const SNMP = readFileSync(path.join(PROC, 'net/snmp'), 'utf8');

/** A copy of the fixture /proc that a test may change. */
function procCopy(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'netstat-test-'));
  cpSync(PROC, root, { recursive: true });
  return root;
}

describe('netstat', () => {
  let roots: string[] = [];
  const editableProc = (): string => {
    const root = procCopy();
    roots.push(root);
    return root;
  };
  afterEach(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
    roots = [];
  });

  it('merges netstat, snmp and snmp6 by protocol', async () => {
    const stats = await readNetStats(PROC);
    assert.equal(stats.get('Tcp')?.get('OutSegs'), '123456');
    assert.equal(stats.get('Tcp')?.get('RetransSegs'), '789');
    assert.equal(stats.get('Tcp')?.get('MaxConn'), '-1');
    assert.ok(stats.get('TcpExt')?.has('SyncookiesSent'));
    assert.equal(stats.get('Ip6')?.get('InReceives'), '1');
    assert.equal(stats.get('UdpLite6')?.get('InDatagrams'), '0');
  });

  it('accepts a missing snmp6 (IPv6 disabled)', async () => {
    const root = editableProc();
    unlinkSync(path.join(root, 'net/snmp6'));
    const stats = await readNetStats(root);
    assert.equal(stats.has('Ip6'), false);
    assert.equal(stats.get('Tcp')?.get('OutSegs'), '123456');
  });

  it('fails without netstat or snmp', async () => {
    for (const [file, what] of [
      ['netstat', 'netstats'],
      ['snmp', 'SNMP stats'],
    ] as const) {
      const root = editableProc();
      unlinkSync(path.join(root, 'net', file));
      await assert.rejects(readNetStats(root), {
        message: `couldn't get ${what}: open ${path.join(root, 'net', file)}: no such file or directory`,
      });
    }
  });

  it('wraps parse errors with the file they came from', async () => {
    const root = editableProc();
    writeFileSync(path.join(root, 'net/snmp'), SNMP.replace(/^Ip: 2 .*\n/m, ''));
    await assert.rejects(readNetStats(root), { message: "couldn't get SNMP stats: header to value mismatch in snmp: Ip: vs Icmp:" });
  });

  it('lets a later file replace a protocol wholesale', async () => {
    const root = editableProc();
    writeFileSync(path.join(root, 'net/netstat'), 'Tcp: OutSegs Extra\nTcp: 1 2\n');
    const stats = await readNetStats(root);
    assert.equal(stats.get('Tcp')?.get('OutSegs'), '123456');
    assert.equal(stats.get('Tcp')?.has('Extra'), false);
  });

  describe('header/value pairs (netstat, snmp)', () => {
    it('splits on single spaces and strips the colon from the protocol', () => {
      assert.deepEqual(
        parseProcNetPairs('snmp', 'Tcp: OutSegs RetransSegs\nTcp: 10 2\n'),
        new Map([
          [
            'Tcp',
            new Map([
              ['OutSegs', '10'],
              ['RetransSegs', '2'],
            ]),
          ],
        ]),
      );
    });

    it('missing value line', () => {
      assert.throws(() => parseProcNetPairs('snmp', 'Ip: Forwarding\nIp: 2\nTcp: OutSegs\n'), {
        message: 'missing value line in snmp for Tcp:',
      });
    });

    it('header to value mismatch', () => {
      assert.throws(() => parseProcNetPairs('snmp', SNMP.replace(/^Ip: 2 .*\n/m, '')), {
        message: 'header to value mismatch in snmp: Ip: vs Icmp:',
      });
    });

    it('field count mismatch, verbatim "mismatch … mismatch"', () => {
      assert.throws(() => parseProcNetPairs('netstat', 'TcpExt: A B\nTcpExt: 1\n'), {
        message: 'mismatch field count mismatch in netstat: TcpExt',
      });
    });

    it('counts an extra space as a field (single-space split)', () => {
      assert.throws(() => parseProcNetPairs('snmp', 'Tcp: A B\nTcp: 1  2\n'), { message: 'mismatch field count mismatch in snmp: Tcp' });
    });
  });

  describe('snmp6', () => {
    it('splits the name at its first 6 and skips lines that do not fit', () => {
      const stats = parseSnmp6('Ip6InReceives \t 5\nIcmp6OutType133\t1\nUdpLite6InDatagrams 0\nIp6Bad 1 2\nNoSix 3\n\n');
      assert.deepEqual(
        stats,
        new Map([
          ['Ip6', new Map([['InReceives', '5']])],
          ['Icmp6', new Map([['OutType133', '1']])],
          ['UdpLite6', new Map([['InDatagrams', '0']])],
        ]),
      );
    });
  });
});
