// What every endpoint, grant and client-authentication method receives: the
// checked configuration and the replaceable parts (store, keys, hooks).
// Built once by create-issuer.ts.

import type { IssuerEvent, IssuerOptions, ResolvedConfig } from "./config/types.js";
import type { KeyManager } from "./keys/types.js";
import type { IssuerStore } from "./store/types.js";

export interface IssuerContext {
  readonly config: ResolvedConfig;
  readonly store: IssuerStore;
  readonly keys: KeyManager;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly claimsHook: IssuerOptions["claims"];
  readonly emit: (event: IssuerEvent) => void;
}
