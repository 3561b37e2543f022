import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a file so that readers see either the old or the new content, never a half-written one:
 * a temporary file in the same directory (same filesystem, so rename is atomic), fsync, rename.
 * The mode is set on the temporary file before any content is written, so secrets-bearing configs
 * are never readable by others, not even for a moment.
 */
export async function writeFileAtomic(file: string, content: string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(content);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
