import { normalizeMediaType } from "../issuers/typ.js";
import type { AlgorithmSpec } from "./algorithms.js";
import { checkHeader, type JwsHeader, parseJsonSegment } from "./parse.js";
import { headerAlgorithm } from "./verify-signature.js";

/** A header segment read once: the frozen header, its algorithm and its `typ` as a media type. */
export interface ReadHeader {
  readonly header: JwsHeader;
  readonly alg: AlgorithmSpec;
  /** `typ` normalized (RFC 7515 §4.1.9), or undefined when absent. */
  readonly type: string | undefined;
}

const MAX_HEADERS = 128;

/**
 * An issuer signs every token with the same few headers (`alg`, `kid`,
 * `typ`), so the header segment repeats byte for byte: it is decoded, parsed
 * and checked once, then found by the segment itself. Bounded; a flood of
 * distinct headers only empties it (only headers that pass are kept).
 */
export class HeaderCache {
  private readonly headers = new Map<string, ReadHeader>();

  read(segment: string): ReadHeader {
    const known = this.headers.get(segment);
    if (known !== undefined) return known;
    const header = Object.freeze(checkHeader(parseJsonSegment(segment, "header")));
    const read: ReadHeader = { header, alg: headerAlgorithm(header), type: header.typ === undefined ? undefined : normalizeMediaType(header.typ) };
    if (this.headers.size >= MAX_HEADERS) this.headers.clear();
    this.headers.set(segment, read);
    return read;
  }
}
