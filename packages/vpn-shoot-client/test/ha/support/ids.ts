import type { RandomId } from '../../../src/ha/wire';

/** Fixed instance identities and nonces, so that tests can name them. */
export const INSTANCE_A = '00000000000000a1' as RandomId;
export const INSTANCE_B = '00000000000000b2' as RandomId;
export const NONCE = '000000000000c0de' as RandomId;

/** Nonces 0000000000000001, 0000000000000002, ... */
export function countingNonces(): () => RandomId {
  let n = 0;
  return () => (++n).toString(16).padStart(16, '0') as RandomId;
}
