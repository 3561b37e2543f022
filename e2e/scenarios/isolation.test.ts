import { strict as assert } from 'node:assert';
import { seedServerFirewallTag } from '@vpn/common';
import { attemptsFromShoot, startSinks } from '../lib/isolation';
import { withRulesStripped } from '../lib/rule-stripping';
import { SPECS, useLab } from './support';

/** The server pod's rules of the firewall hook for tun0. */
const OURS = seedServerFirewallTag('tun0');

describe('[e2e] non-HA tunnel: the shoot cannot reach into the seed', function () {
  this.timeout(60_000);
  const lab = useLab({ ...SPECS.dualStack, name: 'isolation' });

  it("opens no connection to the server pod or the seed pod network and delivers not one datagram there, with forwarding on in the server pod; the same attempts get through with the reference's INPUT rules only, and with none", async () => {
    const { ns } = lab();
    assert.equal((await ns.server.execOk('sysctl', ['-n', 'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding'])).trim(), '1\n1');
    await lab().startServer();
    await lab().startClient();
    await lab().clientConnected();
    const sinks = await startSinks(lab());
    const ours = (line: string): boolean => line.includes(`"${OURS}"`);

    const reference = await withRulesStripped(
      ns.server,
      (line) => ours(line) && line.startsWith('-A FORWARD '),
      () => attemptsFromShoot(lab(), sinks),
    );
    const heardIn = (witnessed: string[], sink: string): string[] => witnessed.filter((l) => l.startsWith(`${sink}: `));
    assert.notDeepEqual(
      heardIn(reference.witnessed, 'sink-kube-apiserver-pod'),
      [],
      'control (INPUT rules only): the seed pod network hears the shoot',
    );
    assert.deepEqual(heardIn(reference.witnessed, 'sink-server-pod'), [], 'control (INPUT rules only): the server pod itself stays closed');

    const none = await withRulesStripped(
      ns.server,
      (line) => ours(line) && /^-A (INPUT|FORWARD) /.test(line),
      () => attemptsFromShoot(lab(), sinks),
    );
    assert.notDeepEqual(heardIn(none.witnessed, 'sink-server-pod'), [], 'control (no rules): the server pod hears the shoot');
    assert.ok(
      none.attempts.some((a) => a.protocol === 'TCP' && a.ok),
      'control (no rules): the shoot opens a connection',
    );

    const report = await attemptsFromShoot(lab(), sinks);
    assert.ok(report.attempts.length >= 10, `${report.attempts.length} attempts`);
    const opened = report.attempts.filter((a) => a.protocol === 'TCP' && a.ok);
    assert.deepEqual(opened, [], 'connections the shoot opened');
    assert.deepEqual(report.witnessed, [], 'traffic that reached a seed sink');
  });
});
