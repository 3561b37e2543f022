/** Hand-built attribute: u16 length (header + payload), u16 type, payload, zero padding to 4 bytes. */
export function attr(type: number, payload: number[] | Buffer): Buffer {
  const body = Buffer.from(payload);
  const out = Buffer.alloc((4 + body.length + 3) & ~3);
  out.writeUInt16LE(4 + body.length, 0);
  out.writeUInt16LE(type, 2);
  body.copy(out, 4);
  return out;
}

/** Little-endian u32, as netlink carries it on x86 and arm. */
export const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
