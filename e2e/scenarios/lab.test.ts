import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostPort } from '../lib/address-plan';
import { SHOOT_HOST_PORT } from '../lib/lab-programs';
import { SPECS, useLab } from './support';

describe('[e2e] lab without the tunnel: topology and stand-ins', function () {
  this.timeout(30_000);
  const lab = useLab(SPECS.dualStack);

  it('the shoot client pod reaches every shoot host directly and the ingress over both families', async () => {
    const { plan, ns } = lab();
    for (const host of plan.shootHosts) {
      const r = await lab().probe(ns.client, {
        op: 'request',
        target: { host: host.address.address, port: SHOOT_HOST_PORT },
        timeoutMs: 2_000,
      });
      assert.ok(r.ok, `${host.address.address}: ${r.detail}`);
      assert.equal(r.detail, `pong ${host.address.address} ping`);
    }
    for (const ingress of plan.ingressExternal) {
      const r = await lab().probe(ns.client, {
        op: 'connect',
        target: { host: ingress.address, port: plan.ingressPort },
        timeoutMs: 2_000,
      });
      assert.ok(r.ok, `${hostPort(ingress.address, plan.ingressPort)}: ${r.detail}`);
    }
  });

  it('the ingress refuses a CONNECT without the custom header', async () => {
    const { plan, ns } = lab();
    const host = plan.shootHosts[0].address.address;
    const r = await lab().probe(ns.client, {
      op: 'request',
      target: { host, port: SHOOT_HOST_PORT },
      proxy: { host: plan.endpoint, port: plan.ingressPort },
      timeoutMs: 2_000,
    });
    assert.equal(r.ok, false);
    assert.match(r.detail, /proxy answered HTTP\/1\.1 403 /);
  });

  it('without a tunnel nothing on the seed side reaches a shoot host', async () => {
    const reach = await lab().reachability();
    assert.deepEqual(
      reach.filter((r) => r.reached),
      [],
    );
  });

  it('destroy removes every namespace and the lab directory', async () => {
    const { topology, files } = lab();
    await lab().destroy();
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of Object.values(topology.ns)) assert.ok(!left.includes(ns.name), `${ns.name} still exists`);
    assert.ok(!existsSync(files.dir));
  });
});
