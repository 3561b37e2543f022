/**
 * Reading OpenVPN's status file from disk: bounded in size, empty told apart from written, and every
 * failure an InputError naming the path.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors';
import { type OpenVpnStatus, parseStatus, StatusFormatError } from './status';

/**
 * The largest status file we read. A row is about 100 bytes, one per connection and one per route OpenVPN
 * learned (a client's MAC address in HA; in non-HA a shoot address the seed talked to), so 16 MiB, some
 * 170,000 rows, is far beyond an honest file, and reading and parsing it still fits an exec probe's second.
 */
export const MAX_STATUS_FILE_BYTES = 16 * 1024 * 1024;

const READ_CHUNK_BYTES = 64 * 1024;

/** OpenVPN creates the file empty at start and writes the first status one interval later. */
export type StatusFile = { written: false } | { written: true; status: OpenVpnStatus };

/** The file's content is not a status, possibly because the read raced one of OpenVPN's in-place rewrites. */
export class StatusFileFormatError extends InputError {}

/** Node's `ENOENT: no such file or directory, open '/x'` without the code and the repeated path. */
function readProblem(err: unknown): string {
  const message = (err as Error).message ?? String(err);
  return message.replace(/^[A-Z]+: /, '').replace(/, \w+(?: '.*')?$/, '');
}

/** Reads up to one byte past the limit, so a file that grows while it is read is refused too. */
async function readBounded(handle: FileHandle, path: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, maxBytes + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) throw new InputError(path, `status file grew past the limit of ${maxBytes} bytes while being read`);
  }
}

/** The file's text; refuses a file larger than `maxBytes` by its size, before reading it. */
export async function readStatusText(path: string, maxBytes = MAX_STATUS_FILE_BYTES): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new InputError(path, `cannot read status file: ${readProblem(err)}`);
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new InputError(path, `status file is ${size} bytes, more than the limit of ${maxBytes}; not read`);
    return (await readBounded(handle, path, maxBytes)).toString('utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(path, `cannot read status file: ${readProblem(err)}`);
  } finally {
    await handle.close();
  }
}

function parse(path: string, text: string): OpenVpnStatus {
  try {
    return parseStatus(text);
  } catch (err) {
    if (err instanceof StatusFormatError) throw new StatusFileFormatError(path, err.message);
    throw err;
  }
}

/** The probes' view: an empty file is a state of its own, not an error. */
export async function readStatusFile(path: string): Promise<StatusFile> {
  const text = await readStatusText(path);
  return text === '' ? { written: false } : { written: true, status: parse(path, text) };
}

/** The exporter's view: anything but a complete status, an empty file included, is an error. */
export async function parseStatusFile(path: string): Promise<OpenVpnStatus> {
  return parse(path, await readStatusText(path));
}
