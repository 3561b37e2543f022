import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkHealth, TORN_READ_RETRY_MS } from '../../src/health/check';
import { isAlive, isReady } from '../../src/health/probes';
import { parseStatus, type OpenVpnStatus } from '../../src/openvpn/status';
import { MAX_STATUS_FILE_BYTES, type StatusFile } from '../../src/openvpn/status-file';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/status');
const fixture = (name: string): string => path.join(FIXTURES, name);
/** The TIME line of every fixture. */
const UPDATED_AT = Date.parse('2026-07-17T09:31:10Z');
const after = (ms: number) => () => new Date(UPDATED_AT + ms);

const CLIENT_HEADER =
  'HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,Client ID,Peer ID,Data Channel Cipher';
const written = (status: OpenVpnStatus): StatusFile => ({ written: true, status });
const EMPTY: StatusFile = { written: false };
function statusWith(...commonNames: string[]): StatusFile {
  const rows = commonNames.map(
    (cn, i) => `CLIENT_LIST,${cn},100.64.0.${i + 1}:4000,,,1,1,2026-07-17 09:00:00,1784278800,UNDEF,${i},${i},AES-256-GCM`,
  );
  return written(parseStatus(['TIME,2026-07-17 09:31:10,1784280670', CLIENT_HEADER, ...rows, 'END'].join('\n')));
}

describe('health', () => {
  describe('liveness: the status file is fresh (at most interval 15 s + 2 s old)', () => {
    it('is alive 3 s after the update', async () => {
      const result = await checkHealth(fixture('openvpn26-nonha-ready.status'), 'liveness', { isHA: false, now: after(3000) });
      assert.deepEqual(result, { ok: true, reason: 'OpenVPN status updated 3s ago' });
    });

    it('is alive at exactly 17 s and stale 1 ms later', async () => {
      const p = fixture('openvpn26-nonha-ready.status');
      assert.equal((await checkHealth(p, 'liveness', { isHA: false, now: after(17_000) })).ok, true);
      assert.deepEqual(await checkHealth(p, 'liveness', { isHA: false, now: after(17_001) }), {
        ok: false,
        reason: 'OpenVPN status is stale: updated 17.001s ago, limit 17s',
      });
    });

    it('only looks at freshness: a half-open client alone keeps the server alive (reference fix d8eb731)', async () => {
      assert.equal((await checkHealth(fixture('openvpn-undef-only.status'), 'liveness', { isHA: true, now: after(0) })).ok, true);
    });

    it('is not alive without a TIME line', () => {
      assert.deepEqual(isAlive(written(parseStatus('TITLE,x\nEND\n')), new Date(UPDATED_AT)), {
        ok: false,
        reason: 'OpenVPN status is stale: the status file has no TIME line',
      });
    });

    it("is not alive when TIME lies more than 2 s ahead of the clock (a clock stepped back, or not OpenVPN's file)", () => {
      assert.equal(isAlive(statusWith(), new Date(UPDATED_AT - 2_000)).ok, true);
      assert.deepEqual(isAlive(statusWith(), new Date(UPDATED_AT - 2_001)), {
        ok: false,
        reason: 'OpenVPN status is dated 2.001s in the future, more than the 2s clock skew allowed',
      });
      assert.equal(isAlive(statusWith(), new Date(UPDATED_AT - 86_400_000)).ok, false);
    });

    it("is not alive while the file is empty (before OpenVPN's first status interval)", () => {
      assert.deepEqual(isAlive(EMPTY, new Date(UPDATED_AT)), {
        ok: false,
        reason: 'the status file is empty: OpenVPN has not written its first status yet',
      });
    });

    it('takes a custom update interval', () => {
      assert.equal(isAlive(statusWith(), new Date(UPDATED_AT + 32_000), 30).ok, true);
      assert.equal(isAlive(statusWith(), new Date(UPDATED_AT + 32_001), 30).ok, false);
    });
  });

  describe('a missing or unparsable file is neither alive nor ready, and never throws', () => {
    for (const kind of ['liveness', 'readiness'] as const) {
      it(`${kind}: missing file`, async () => {
        const p = fixture('missing.status');
        assert.deepEqual(await checkHealth(p, kind, { isHA: false, now: after(0) }), {
          ok: false,
          reason: `${p}: cannot read status file: no such file or directory`,
        });
      });

      it(`${kind}: unparsable file, read twice`, async () => {
        const p = fixture('malformed/undef-real-address.status');
        assert.deepEqual(await checkHealth(p, kind, { isHA: true, now: after(0), sleep: () => Promise.resolve() }), {
          ok: false,
          reason: `${p}: not a complete status file, read twice 100 ms apart: CLIENT_LIST: can't parse real client address: UNDEF (invalid address format: UNDEF)`,
        });
      });
    }
  });

  describe('readiness, non-HA', () => {
    const ready = async (name: string) => checkHealth(fixture(name), 'readiness', { isHA: false });

    it('is ready with a shoot client, in the 2.6 and the 2.7 format', async () => {
      assert.deepEqual(await ready('openvpn26-nonha-ready.status'), { ok: true, reason: '1 connected: vpn-shoot-client' });
      assert.equal((await ready('openvpn27-nonha-ready.status')).ok, true);
    });

    it('is ready with zero clients (just rolled out)', async () => {
      assert.deepEqual(await ready('openvpn-no-clients.status'), {
        ok: true,
        reason: 'no clients connected yet, the shoot client will connect later',
      });
    });

    it('is ready with an empty file, as with zero clients: the shoot must be able to connect before the first status', () => {
      assert.deepEqual(isReady(EMPTY, { isHA: false }), {
        ok: true,
        reason: 'the status file is empty: OpenVPN has not written its first status yet, the shoot client will connect later',
      });
    });

    it('is ready with a shoot client next to a half-open connection', async () => {
      assert.equal((await ready('openvpn-bad-client.status')).ok, true);
    });

    it('is not ready when only a half-open connection is present', async () => {
      assert.deepEqual(await ready('openvpn-undef-only.status'), {
        ok: false,
        reason: 'no shoot client connected yet (1 connected: UNDEF)',
      });
    });

    it('does not look at freshness', async () => {
      assert.equal(
        (await checkHealth(fixture('openvpn26-nonha-ready.status'), 'readiness', { isHA: false, now: after(3_600_000) })).ok,
        true,
      );
    });
  });

  describe('readiness, HA: at least two clients, a seed client and a shoot client', () => {
    it('is ready with seed and shoot clients', async () => {
      assert.deepEqual(await checkHealth(fixture('openvpn-ha-ready.status'), 'readiness', { isHA: true }), {
        ok: true,
        reason: '4 connected: vpn-shoot-client-0, vpn-shoot-client-1, vpn-seed-client, vpn-seed-client',
      });
      assert.equal(isReady(statusWith('vpn-seed-client', 'vpn-shoot-client-0'), { isHA: true }).ok, true);
    });

    it('is not ready with an empty file', () => {
      assert.deepEqual(isReady(EMPTY, { isHA: true }), {
        ok: false,
        reason: 'HA needs at least 2 clients (the status file is empty: OpenVPN has not written its first status yet)',
      });
    });

    it('is not ready with fewer than two clients, even zero', () => {
      assert.deepEqual(isReady(statusWith(), { isHA: true }), { ok: false, reason: 'HA needs at least 2 clients (no clients connected)' });
      assert.deepEqual(isReady(statusWith('vpn-shoot-client-0'), { isHA: true }), {
        ok: false,
        reason: 'HA needs at least 2 clients (1 connected: vpn-shoot-client-0)',
      });
    });

    it('counts a half-open client towards two but it matches neither prefix', async () => {
      assert.deepEqual(await checkHealth(fixture('openvpn-bad-client.status'), 'readiness', { isHA: true }), {
        ok: false,
        reason: 'no seed client connected yet (2 connected: vpn-shoot-client, UNDEF)',
      });
      assert.deepEqual(isReady(statusWith('vpn-seed-client', 'UNDEF'), { isHA: true }), {
        ok: false,
        reason: 'no shoot client connected yet (2 connected: vpn-seed-client, UNDEF)',
      });
    });
  });

  describe('a read that races OpenVPN rewriting the file in place is repeated once', () => {
    const READY_TEXT = readFileSync(fixture('openvpn26-nonha-ready.status'), 'utf8');
    let dir: string;
    let file: string;
    let sleeps: number[];
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'probes-'));
      file = path.join(dir, 'openvpn.status');
      sleeps = [];
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** A pause during which OpenVPN, if given, finishes its rewrite. */
    const sleepThen = (rewrite?: string) => (ms: number) => {
      sleeps.push(ms);
      if (rewrite !== undefined) writeFileSync(file, rewrite);
      return Promise.resolve();
    };

    for (const [torn, text] of [
      ['cut short', READY_TEXT.slice(0, READY_TEXT.indexOf('HEADER,ROUTING_TABLE'))],
      ['garbled', READY_TEXT.replace('CLIENT_LIST,vpn-shoot-client,', 'CLIENT_LIST,vpn-sh')],
    ]) {
      it(`succeeds when the second read finds the rewrite finished (first read ${torn})`, async () => {
        writeFileSync(file, text);
        for (const kind of ['liveness', 'readiness'] as const) {
          assert.equal((await checkHealth(file, kind, { isHA: false, now: after(0), sleep: sleepThen(READY_TEXT) })).ok, true);
          writeFileSync(file, text);
        }
        assert.deepEqual(sleeps, [TORN_READ_RETRY_MS, TORN_READ_RETRY_MS]);
      });
    }

    it('fails with one clear line when the second read is no better', async () => {
      writeFileSync(file, READY_TEXT.replace('END\n', ''));
      for (const kind of ['liveness', 'readiness'] as const) {
        assert.deepEqual(await checkHealth(file, kind, { isHA: false, now: after(0), sleep: sleepThen() }), {
          ok: false,
          reason: `${file}: not a complete status file, read twice 100 ms apart: truncated: no END line`,
        });
      }
      assert.deepEqual(sleeps, [TORN_READ_RETRY_MS, TORN_READ_RETRY_MS]);
    });

    it('does not repeat reads that cannot be torn: a missing, an empty or an oversized file', async () => {
      assert.equal((await checkHealth(file, 'liveness', { isHA: false, sleep: sleepThen(READY_TEXT) })).ok, false);
      writeFileSync(file, '');
      assert.equal((await checkHealth(file, 'readiness', { isHA: false, sleep: sleepThen(READY_TEXT) })).ok, true);
      truncateSync(file, MAX_STATUS_FILE_BYTES + 1);
      assert.match((await checkHealth(file, 'liveness', { isHA: false, sleep: sleepThen(READY_TEXT) })).reason, /more than the limit/);
      assert.deepEqual(sleeps, []);
    });
  });
});
