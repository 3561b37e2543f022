/**
 * Netlink attributes (struct nlattr / rtattr): u16 length (header included, padding excluded), u16 type,
 * payload, padded to 4 bytes. The two top bits of the type are the NESTED and NET_BYTEORDER flags.
 */

const HEADER_LENGTH = 4;
const TYPE_MASK = 0x3fff;

export const align4 = (n: number): number => (n + 3) & ~3;

export function encodeAttribute(type: number, payload: Buffer): Buffer {
  const length = HEADER_LENGTH + payload.length;
  const out = Buffer.alloc(align4(length));
  out.writeUInt16LE(length, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, HEADER_LENGTH);
  return out;
}

export function u32Payload(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value, 0);
  return b;
}

export function stringPayload(value: string): Buffer {
  return Buffer.from(`${value}\0`, 'utf8');
}

/** Attributes by type; a repeated type keeps its first occurrence (none we read repeats). */
export type Attributes = ReadonlyMap<number, Buffer>;

export function decodeAttributes(data: Buffer): Attributes {
  const attrs = new Map<number, Buffer>();
  let offset = 0;
  while (offset + HEADER_LENGTH <= data.length) {
    const length = data.readUInt16LE(offset);
    if (length < HEADER_LENGTH || offset + length > data.length) {
      throw new Error(`malformed netlink attribute at offset ${offset}: length ${length} of ${data.length - offset} bytes left`);
    }
    const type = data.readUInt16LE(offset + 2) & TYPE_MASK;
    if (!attrs.has(type)) attrs.set(type, data.subarray(offset + HEADER_LENGTH, offset + length));
    offset += align4(length);
  }
  return attrs;
}

export function readU32(attrs: Attributes, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 4 ? b.readUInt32LE(0) : undefined;
}

export function readString(attrs: Attributes, type: number): string | undefined {
  const b = attrs.get(type);
  if (!b) return undefined;
  const end = b.indexOf(0);
  return b.toString('utf8', 0, end < 0 ? b.length : end);
}
