import { strict as assert } from 'node:assert';
import type { NetworkPort } from '../../src/ha/ports';
import { TapMonitor } from '../../src/ha/tap-monitor';
import { captureLogger } from './support/capture-logger';
import { FakeNetwork } from './support/fake-network';

/** The fake network's links, unless `failure` is set: then listing them fails with it. */
function failingNetwork(network: FakeNetwork): Pick<NetworkPort, 'listLinks'> & { failure: string | undefined } {
  return {
    failure: undefined,
    listLinks() {
      return this.failure === undefined ? network.listLinks() : Promise.reject(new Error(this.failure));
    },
  };
}

describe('ha tap monitor', () => {
  it('logs a failure to list links once per streak and reports what changed meanwhile at the next good poll', async () => {
    const network = new FakeNetwork(['tap0', 'tap1']);
    const port = failingNetwork(network);
    const { logger, lines } = captureLogger();
    const monitor = new TapMonitor(port, 3, logger);
    const reported: number[][] = [];
    const refresh = (): Promise<void> => monitor.refresh((servers) => reported.push(servers));
    assert.deepEqual(await monitor.poll(), [0, 1]);
    const before = new Map(monitor.present);

    port.failure = 'list links: no reply from the kernel within 5000 ms';
    network.recreateLink('tap1');
    network.addLink('tap2');
    await refresh();
    await refresh();
    assert.deepEqual(lines, ['warn could not list links, will retry error="list links: no reply from the kernel within 5000 ms"']);
    assert.deepEqual(reported, []);
    assert.deepEqual(monitor.present, before, 'the taps of the last good poll stand');

    port.failure = undefined;
    await refresh();
    assert.deepEqual(reported, [[1, 2]]);
    assert.deepEqual([...monitor.present.keys()], [0, 1, 2]);
    assert.equal(lines.length, 1, 'recovering logs nothing');

    port.failure = 'list links: no reply from the kernel within 5000 ms';
    await refresh();
    assert.equal(lines.length, 2, 'the same failure after a good poll is a new streak');
  });
});
