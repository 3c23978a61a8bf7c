import { nodeBuffer } from "../util/platform.js";

const isUtf8 = nodeBuffer?.isUtf8;
const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const BufferCtor = nodeBuffer?.Buffer;

/**
 * Strict UTF-8 decoding (RFC 7515 §5.2 step 4 and RFC 7519 §7.2 step 9 read
 * the header and claims as UTF-8): an invalid sequence is an error, never a
 * silent U+FFFD replacement. Returns undefined on invalid input.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  if (isUtf8 !== undefined && BufferCtor !== undefined) {
    if (!isUtf8(bytes)) return undefined;
    const buffer = bytes instanceof BufferCtor ? bytes : BufferCtor.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return buffer.toString("utf8");
  }
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}
