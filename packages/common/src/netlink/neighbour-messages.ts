import { encodeAttribute } from './attributes';
import { NDA_DST, NDMSG_LENGTH } from './constants';
import { addressBytes, addressFamilyNumber } from './ip-bytes';

/** RTM_DELNEIGH body for the neighbour entry of `address` on link `index`. */
export function encodeNeighbourDelete(index: number, address: string): Buffer {
  const dst = addressBytes(address);
  const header = Buffer.alloc(NDMSG_LENGTH);
  header.writeUInt8(addressFamilyNumber(dst.family), 0);
  header.writeInt32LE(index, 4);
  return Buffer.concat([header, encodeAttribute(NDA_DST, dst.bytes)]);
}
