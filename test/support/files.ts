/**
 * Files for the file store's tests (issue 17, docs/files.md): real formats, small, built here so
 * no binary sits in the repository.
 */
import { crc32 } from 'node:zlib';

/** A 1x1 PNG (RFC 2083 signature, IHDR, IDAT, IEND). */
export const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

/** An ELF executable's header (a Linux program), whatever its name says. */
export const ELF = Buffer.concat([Buffer.from('7f454c46020101000000000000000000', 'hex'), Buffer.alloc(64)]);

/**
 * A PNG of exactly `bytes` octets (at least 87): the 1x1 image with a private ancillary chunk (`tEXt`, RFC 2083
 * 4.2.3) of incompressible filler before IEND, so it is still a valid PNG by its signature.
 */
export function pngOf(bytes: number): Buffer {
  const head = PNG_1X1.subarray(0, PNG_1X1.length - 12);
  const iend = PNG_1X1.subarray(PNG_1X1.length - 12);
  const fill = Buffer.alloc(Math.max(0, bytes - PNG_1X1.length - 20));
  let x = 1;
  for (let i = 0; i < fill.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    fill[i] = 0x20 + ((x >>> 16) % 0x5f);
  }
  const data = Buffer.concat([Buffer.from('Comment\0'), fill]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from('tEXt'), data])));
  const chunk = Buffer.concat([len, Buffer.from('tEXt'), data, crc]);
  return Buffer.concat([head, chunk, iend]);
}
