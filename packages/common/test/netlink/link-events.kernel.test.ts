import assert from 'node:assert/strict';
import { TestNetns } from '../support/netns';
import { requireRoot } from '../support/privileges';
import { runFixture } from './run-fixture';

describe('[root] link notifications against the kernel', function () {
  let ns: TestNetns | undefined;

  before(function () {
    requireRoot(this);
  });

  afterEach(() => ns?.destroy());

  it('reports a tap created and deleted, and nothing while the links stay as they are', () => {
    ns = TestNetns.create('linkev');
    const counts = runFixture<{ quiet: number; created: number; deleted: number }>(ns, 'netlink/fixtures/link-events.js', {});
    assert.equal(counts.quiet, 0);
    assert.ok(counts.created >= 1, `reports after creating a tap: ${counts.created}`);
    assert.ok(counts.deleted >= 1, `reports after deleting it: ${counts.deleted}`);
  });
});
