import { strict as assert } from 'node:assert';
import { CoalescedTask } from '../../src/ha/coalesced-task';
import { settle } from './support/fake-clock';

describe('ha coalesced task', () => {
  it('runs once more after a run during which it was asked again, however often, and resolves after that run', async () => {
    const releases: (() => void)[] = [];
    const task = new CoalescedTask(() => new Promise<void>((resolve) => releases.push(resolve)));
    const first = task.run();
    assert.equal(task.busy, true);
    const during = [task.run(), task.run()];
    await settle();
    assert.equal(releases.length, 1, 'one run at a time');
    let settled = false;
    void first.then(() => (settled = true));
    releases[0]();
    await settle();
    assert.equal(releases.length, 2, 'two calls during the run: one more run');
    assert.equal(settled, false, 'the callers wait for the run they asked for');
    releases[1]();
    await Promise.all([first, ...during]);
    assert.equal(task.busy, false);
    assert.equal(releases.length, 2);
  });
});
