// Express 4, installed under an npm alias for the conformance suite; its API
// is the subset of Express 5's types the harness uses.
declare module "express4" {
  import type express from "express";

  const express4: typeof express;
  export default express4;
}
