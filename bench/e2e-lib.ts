import { createRequire } from 'node:module';
import * as path from 'node:path';

// Resolves from e2e/dist/lib itself: tsc keeps a relative import across projects as written, which from
// bench/dist would point at a bench/e2e that does not exist.
const requireFromE2eLib = createRequire(path.join(__dirname, '..', '..', 'e2e', 'dist', 'lib', '/'));

/** A module of the e2e lab (a project reference, so built first), loaded from its compiled output. */
export const e2eLib = (module: string): unknown => requireFromE2eLib(`./${module}`);
