import { strict as assert } from 'node:assert';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseStatus } from '../../src/openvpn/status';
import {
  MAX_STATUS_FILE_BYTES,
  parseStatusFile,
  readStatusFile,
  readStatusText,
  StatusFileFormatError,
} from '../../src/openvpn/status-file';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/status');
const READY = path.join(FIXTURES, 'openvpn26-nonha-ready.status');

describe('openvpn status file on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'status-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a written file as its status', async () => {
    assert.deepEqual(await readStatusFile(READY), { written: true, status: parseStatus(readFileSync(READY, 'utf8')) });
    assert.deepEqual(await parseStatusFile(READY), parseStatus(readFileSync(READY, 'utf8')));
  });

  it('tells an empty file (OpenVPN before its first status interval) from a written one; the exporter calls it an error', async () => {
    const p = path.join(dir, 'openvpn.status');
    writeFileSync(p, '');
    assert.deepEqual(await readStatusFile(p), { written: false });
    await assert.rejects(parseStatusFile(p), { name: 'InputError', message: `${p}: empty: OpenVPN has not written a status yet` });
  });

  it('names the file when its content is not a status, with an error the probes can retry on', async () => {
    const p = path.join(dir, 'openvpn.status');
    writeFileSync(p, readFileSync(READY, 'utf8').replace('END\n', ''));
    await assert.rejects(
      readStatusFile(p),
      (err: unknown) => err instanceof StatusFileFormatError && err.message === `${p}: truncated: no END line`,
    );
  });

  it('reports an unreadable file as an InputError naming it', async () => {
    const p = path.join(dir, 'does-not-exist.status');
    await assert.rejects(readStatusFile(p), { name: 'InputError', message: `${p}: cannot read status file: no such file or directory` });
    await assert.rejects(readStatusFile(dir), {
      name: 'InputError',
      message: `${dir}: cannot read status file: illegal operation on a directory`,
    });
  });

  it('refuses a 100 MB file by its size, without reading it', async () => {
    const p = path.join(dir, 'huge.status');
    closeSync(openSync(p, 'w'));
    truncateSync(p, 100 * 1024 * 1024);
    const peakKbBefore = process.resourceUsage().maxRSS;
    const started = process.hrtime.bigint();
    await assert.rejects(readStatusFile(p), {
      name: 'InputError',
      message: `${p}: status file is 104857600 bytes, more than the limit of ${MAX_STATUS_FILE_BYTES}; not read`,
    });
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    // Reading it whole raises the process's peak memory by its 100 MB and takes about a second here.
    const peakGrowthMb = (process.resourceUsage().maxRSS - peakKbBefore) / 1024;
    assert.ok(peakGrowthMb < 20, `peak memory grew by ${peakGrowthMb} MB`);
    assert.ok(elapsedMs < 250, `${elapsedMs} ms`);
  });

  it('reads no more than one byte past the limit from a file whose size says nothing (it grows, or is a device)', async () => {
    await assert.rejects(readStatusText('/dev/zero', 100_000), {
      name: 'InputError',
      message: '/dev/zero: status file grew past the limit of 100000 bytes while being read',
    });
  });

  it('accepts a file of exactly the limit', async () => {
    const p = path.join(dir, 'openvpn.status');
    writeFileSync(p, 'x'.repeat(1000));
    assert.equal((await readStatusText(p, 1000)).length, 1000);
    await assert.rejects(readStatusText(p, 999), { message: `${p}: status file is 1000 bytes, more than the limit of 999; not read` });
  });
});
