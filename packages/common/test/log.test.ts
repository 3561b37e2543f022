import { strict as assert } from 'node:assert';
import { createLogger, formatTimestamp } from '../src/log';

describe('log', () => {
  const at = new Date(2026, 10, 3, 4, 5, 6);

  it('formats timestamps like OpenVPN does for each container', () => {
    assert.equal(formatTimestamp('iso', at), '2026-11-03 04:05:06');
    assert.equal(formatTimestamp('legacy', at), 'Tue Nov 03 04:05:06 2026');
  });

  it('prints timestamp, level, message and quoted key=value fields', () => {
    const lines: string[] = [];
    const log = createLogger({ style: 'iso', write: (l) => lines.push(l), now: () => at }).with({ cmd: 'root' });
    log.info('wrote config', { path: '/openvpn-server.config', note: 'a b', empty: '', skipped: undefined });
    log.debug('hidden');
    assert.deepEqual(lines, ['2026-11-03 04:05:06 info wrote config cmd=root path=/openvpn-server.config note="a b" empty=""']);
  });
});
