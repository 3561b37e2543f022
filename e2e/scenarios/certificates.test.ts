import { strict as assert } from 'node:assert';
import type { SecretsVariant } from '../lib/certs';
import { sleep } from '../lib/process-supervisor';
import { SPECS, useLab } from './support';

const CASES: { variant: SecretsVariant; title: string; refuser: 'server' | 'client'; log: RegExp }[] = [
  {
    variant: 'client-from-other-ca',
    title: 'a client certificate from another CA',
    refuser: 'server',
    log: /VERIFY ERROR: .*CN=vpn-shoot-client/,
  },
  {
    variant: 'server-from-other-ca',
    title: 'a server certificate from another CA',
    refuser: 'client',
    log: /VERIFY ERROR: .*CN=vpn-seed-server/,
  },
];

for (const c of CASES) {
  describe(`[e2e] non-HA tunnel: ${c.title}`, function () {
    this.timeout(30_000);
    const lab = useLab({ ...SPECS.ipv4, name: c.variant }, c.variant);

    it(`is refused by the ${c.refuser}, and no shoot address becomes reachable`, async () => {
      await lab().startServer();
      await lab().startClient();
      const refuser = lab().openvpn[c.refuser];
      assert.ok(refuser);
      await refuser.waitForLine(c.log, 15_000);
      // Give the client (which reconnects at once) time for further attempts before judging it.
      await sleep(1_500);
      assert.doesNotMatch(lab().openvpn.client?.output() ?? '', /Initialization Sequence Completed/);
      const reach = await lab().reachability();
      assert.deepEqual(
        reach.filter((r) => r.reached),
        [],
      );
    });
  });
}
