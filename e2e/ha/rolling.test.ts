import { strict as assert } from 'node:assert';
import { range } from '../lib/ha-plan';
import { rollingUpdate } from '../lib/ha-rolling';
import { settle } from '../lib/ha-scenarios';
import { startStreamServer } from '../lib/ha-streams';
import { seconds } from '../lib/measurement';
import { measure, useHaLab } from './support';

/** What the issue asks of a planned restart is 100 ms; the runs stay near it (see the measure lines), this is the bound with margin. */
const MAX_STEP_GAP_MS = 300;
/**
 * The leaving pod's notice reaches the kube-apiserver pods within milliseconds (one datagram each way and a
 * route change): connections opened from one probe interval after the deletion began must all succeed.
 */
const LEAVING_NOTICE_MS = 100;

describe('[e2e] HA rolling update: servers one at a time, then vpn-shoot pods one at a time', function () {
  this.timeout(240_000);
  const lab = useHaLab({ name: 'roll', shootClients: 2, seedClients: 2, overlap: false });

  before(async () => {
    await startStreamServer(lab());
  });

  it('keeps every ping gap short, the held connections through the server steps and every new connection through the vpn-shoot steps', async () => {
    await settle(lab());
    const { steps, held, connects } = await rollingUpdate(lab());
    const kapis = range(lab().plan.spec.seedClients);
    for (const st of steps) {
      for (const k of kapis)
        measure('ha-rolling', { step: st.name, kapi: k, gap_s: seconds(st.gapsMs[k]), step_s: seconds(st.to - st.from) });
    }
    for (const [k, r] of held.entries()) {
      measure('ha-rolling-held', {
        kapi: k,
        longest_silence_s: seconds(r.longestSilenceMs),
        sent: r.sent,
        echoed: r.echoed,
        error: r.error || 'none',
      });
    }
    for (const [k, r] of connects.entries()) {
      measure('ha-rolling-connects', {
        kapi: k,
        connects: r.connects,
        failed: r.failedConnects,
        first_failure: r.failures[0]?.error ?? 'none',
      });
    }

    for (const [k, r] of held.entries()) {
      assert.equal(r.error, '', `kube-apiserver pod ${k}: the held connection broke during the server steps`);
      assert.ok(r.echoed >= r.sent - 50, `kube-apiserver pod ${k}: ${r.sent - r.echoed} lines never came back`);
    }
    // A connection the leaving pod's NAT already knows breaks when its path moves (docs/ha.md §5); the pod tells
    // the kube-apiserver pods at once, so only connections opened before that and still open can break.
    const shootSteps = steps.filter((st) => st.name.startsWith('vpn-shoot'));
    for (const [k, r] of connects.entries()) {
      const late = r.failures.filter((f) => shootSteps.some((st) => f.openedAtMs >= st.from + LEAVING_NOTICE_MS && f.openedAtMs <= st.to));
      assert.deepEqual(late, [], `kube-apiserver pod ${k}: new connections failed during the vpn-shoot steps`);
      assert.ok(r.connects > 20, `kube-apiserver pod ${k}: only ${r.connects} connections tried`);
    }
    for (const st of steps) {
      for (const k of kapis)
        assert.ok(st.gapsMs[k] < MAX_STEP_GAP_MS, `kube-apiserver pod ${k}: ping gap ${st.gapsMs[k]} ms during ${st.name}`);
    }
  });
});
