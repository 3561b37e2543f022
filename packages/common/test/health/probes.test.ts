import { strict as assert } from 'node:assert';
import path from 'node:path';
import { checkHealth } from '../../src/health/check';
import { isAlive, isReady } from '../../src/health/probes';
import { parseStatus } from '../../src/openvpn/status';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/status');
const fixture = (name: string): string => path.join(FIXTURES, name);
/** The TIME line of every fixture. */
const UPDATED_AT = Date.parse('2026-07-17T09:31:10Z');
const after = (ms: number) => () => new Date(UPDATED_AT + ms);

const CLIENT_HEADER = 'HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,Client ID,Peer ID,Data Channel Cipher';
function statusWith(...commonNames: string[]) {
  const rows = commonNames.map((cn, i) => `CLIENT_LIST,${cn},100.64.0.${i + 1}:4000,,,1,1,2026-07-17 09:00:00,1784278800,UNDEF,${i},${i},AES-256-GCM`);
  return parseStatus(['TIME,2026-07-17 09:31:10,1784280670', CLIENT_HEADER, ...rows, 'END'].join('\n'));
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
      assert.deepEqual(isAlive(parseStatus('TITLE,x\nEND\n'), new Date(UPDATED_AT)), {
        ok: false,
        reason: 'OpenVPN status is stale: the status file has no TIME line',
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

      it(`${kind}: unparsable file`, async () => {
        const p = fixture('malformed/undef-real-address.status');
        assert.deepEqual(await checkHealth(p, kind, { isHA: true, now: after(0) }), {
          ok: false,
          reason: `${p}: CLIENT_LIST: can't parse real client address: UNDEF (invalid address format: UNDEF)`,
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

    it('is ready with a shoot client next to a half-open connection', async () => {
      assert.equal((await ready('openvpn-bad-client.status')).ok, true);
    });

    it('is not ready when only a half-open connection is present', async () => {
      assert.deepEqual(await ready('openvpn-undef-only.status'), { ok: false, reason: 'no shoot client connected yet (1 connected: UNDEF)' });
    });

    it('does not look at freshness', async () => {
      assert.equal((await checkHealth(fixture('openvpn26-nonha-ready.status'), 'readiness', { isHA: false, now: after(3_600_000) })).ok, true);
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
});
