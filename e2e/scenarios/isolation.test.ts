import { strict as assert } from 'node:assert';
import { attemptsFromShoot } from '../lib/isolation';
import { SPECS, useLab } from './support';

describe('[e2e] non-HA tunnel: the shoot cannot reach into the seed', function () {
  this.timeout(40_000);
  const lab = useLab({ ...SPECS.dualStack, name: 'isolation' });

  it('opens no connection to the server pod or the seed pod network and delivers not one datagram there, with forwarding on in the server pod', async () => {
    const { ns } = lab();
    assert.equal((await ns.server.execOk('sysctl', ['-n', 'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding'])).trim(), '1\n1');
    await lab().startServer();
    await lab().startClient();
    await lab().clientConnected();
    const report = await attemptsFromShoot(lab());
    assert.ok(report.attempts.length >= 10, `${report.attempts.length} attempts`);
    const opened = report.attempts.filter((a) => a.protocol === 'TCP' && a.ok);
    assert.deepEqual(opened, [], 'connections the shoot opened');
    assert.deepEqual(report.witnessed, [], 'traffic that reached a seed sink');
  });
});
