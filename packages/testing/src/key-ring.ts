import { invalidOption, show } from "./errors.js";
import { generateKey, importKey, isMockAlgorithm, MOCK_ALGORITHMS, type MockAlgorithm, type MockKeyInput, type PublishedJwk, type SigningKey } from "./keys.js";

export interface RotateOptions {
  /** Rotate only this algorithm's key. Default: every algorithm the issuer signs with. */
  readonly algorithm?: MockAlgorithm;
  /** Keep the previous key published, so tokens it signed still verify (default true); false drops it at once. */
  readonly keepPrevious?: boolean;
  /** The new key, instead of a generated one (its `alg` says which key it replaces). */
  readonly key?: MockKeyInput;
}

/** The JWK Set document (RFC 7517 §5): public keys only. */
export interface JwksDocument {
  readonly keys: readonly PublishedJwk[];
}

/**
 * The issuer's keys: every published key, and per algorithm the one that
 * signs. Rotation publishes the new key and (by default) keeps the old one
 * published, as real issuers overlap keys so that tokens already issued keep
 * verifying until they expire.
 */
export class KeyRing {
  private published: SigningKey[] = [];
  private readonly current = new Map<MockAlgorithm, SigningKey>();
  /** In the order given; the first signs unless a mint asks for another. */
  readonly algorithms: readonly MockAlgorithm[];

  private constructor(keys: readonly SigningKey[]) {
    for (const key of keys) {
      if (this.published.some((other) => other.kid === key.kid)) throw invalidOption("keys", `two keys have kid ${show(key.kid)}; kids must be unique`);
      this.published.push(key);
      if (!this.current.has(key.alg)) this.current.set(key.alg, key);
    }
    this.algorithms = [...this.current.keys()];
  }

  static async create(algorithms: readonly MockAlgorithm[] | undefined, inputs: readonly MockKeyInput[] | undefined): Promise<KeyRing> {
    if (inputs !== undefined) {
      if (algorithms !== undefined) throw invalidOption("algorithms", "give algorithms (keys are generated) or keys (yours), not both");
      if (!Array.isArray(inputs) || inputs.length === 0) throw invalidOption("keys", "must be a non-empty array of { alg, privateKey, kid? }");
      return new KeyRing(await Promise.all(inputs.map((input, index) => importKey(input, `keys[${index}]`))));
    }
    const algs = algorithms ?? ["RS256"];
    if (!Array.isArray(algs) || algs.length === 0) throw invalidOption("algorithms", `must be a non-empty array of ${MOCK_ALGORITHMS.join(", ")}`);
    algs.forEach((alg, index) => {
      if (!isMockAlgorithm(alg)) throw invalidOption(`algorithms[${index}]`, `${show(alg)} is not one of ${MOCK_ALGORITHMS.join(", ")}`);
    });
    if (new Set(algs).size !== algs.length) throw invalidOption("algorithms", "lists an algorithm twice");
    return new KeyRing(await Promise.all(algs.map((alg) => generateKey(alg))));
  }

  /** The key that signs: by kid (any published key), else the current key of `alg` (default: the first algorithm). */
  signingKey(alg: MockAlgorithm | undefined, kid: string | undefined): SigningKey {
    if (kid !== undefined) {
      const key = this.published.find((candidate) => candidate.kid === kid);
      if (key === undefined) throw invalidOption("mint.keyId", `no published key has kid ${show(kid)}; published: ${this.kids().join(", ")}`);
      if (alg !== undefined && key.alg !== alg) throw invalidOption("mint.algorithm", `key ${show(kid)} is ${key.alg}, not ${alg}`);
      return key;
    }
    const chosen = alg ?? (this.algorithms[0] as MockAlgorithm);
    const key = this.current.get(chosen);
    if (key === undefined) {
      throw invalidOption(
        "mint.algorithm",
        `this issuer has no ${show(chosen)} key; it signs with ${this.algorithms.join(", ")} (createMockIssuer({ algorithms }))`,
      );
    }
    return key;
  }

  /** Every published key, for verifying our own tokens (introspection). */
  find(kid: string): SigningKey | undefined {
    return this.published.find((key) => key.kid === kid);
  }

  kids(): string[] {
    return this.published.map((key) => key.kid);
  }

  jwks(): JwksDocument {
    return { keys: this.published.map((key) => ({ ...key.publicJwk })) };
  }

  async rotate(options: RotateOptions = {}): Promise<string[]> {
    if (typeof options !== "object" || options === null) throw invalidOption("rotate", "takes { algorithm?, keepPrevious?, key? }");
    const { algorithm, keepPrevious = true, key } = options;
    if (typeof keepPrevious !== "boolean") throw invalidOption("rotate.keepPrevious", "must be true or false");
    if (algorithm !== undefined && !this.current.has(algorithm)) {
      throw invalidOption("rotate.algorithm", `this issuer signs with ${this.algorithms.join(", ")}, not ${show(algorithm)}`);
    }
    let fresh: SigningKey[];
    if (key !== undefined) {
      const imported = await importKey(key, "rotate.key");
      if (algorithm !== undefined && imported.alg !== algorithm) throw invalidOption("rotate.key.alg", `is ${imported.alg}, but algorithm is ${algorithm}`);
      if (!this.current.has(imported.alg)) throw invalidOption("rotate.key.alg", `this issuer signs with ${this.algorithms.join(", ")}, not ${imported.alg}`);
      fresh = [imported];
    } else {
      fresh = await Promise.all((algorithm === undefined ? this.algorithms : [algorithm]).map((alg) => generateKey(alg)));
    }
    for (const next of fresh) {
      if (this.published.some((other) => other.kid === next.kid)) throw invalidOption("rotate.key.kid", `${show(next.kid)} is already published`);
    }
    for (const next of fresh) {
      const previous = this.current.get(next.alg);
      if (!keepPrevious && previous !== undefined) this.published = this.published.filter((other) => other !== previous);
      this.published.push(next);
      this.current.set(next.alg, next);
    }
    return fresh.map((next) => next.kid);
  }

  /** Unpublishes a key that no longer signs (the end of an overlap). */
  remove(kid: string): void {
    const key = this.published.find((candidate) => candidate.kid === kid);
    if (key === undefined) throw invalidOption("removeKey", `no published key has kid ${show(kid)}; published: ${this.kids().join(", ")}`);
    if (this.current.get(key.alg) === key)
      throw invalidOption("removeKey", `${show(kid)} is the current ${key.alg} signing key; rotate() first, then remove it`);
    this.published = this.published.filter((other) => other !== key);
  }
}
