import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bodyTokens, formBodyTokens, headerValues, pathOf, queryTokens } from "../../src/http/query.js";

describe("queryTokens (RFC 6750 §2.3)", () => {
  it("finds every access_token parameter, decoded", () => {
    expect(queryTokens("/api?access_token=a.b.c")).toEqual(["a.b.c"]);
    expect(queryTokens("/api?x=1&access_token=a&access_token=b")).toEqual(["a", "b"]);
    expect(queryTokens("/api?access_token=a%2Bb")).toEqual(["a+b"]);
  });

  it("finds nothing without a query, or with the name only in the path or inside another parameter's name", () => {
    expect(queryTokens(undefined)).toEqual([]);
    expect(queryTokens("/api")).toEqual([]);
    expect(queryTokens("/access_token/x")).toEqual([]);
    expect(queryTokens("/api?my_access_token=x")).toEqual([]);
  });

  it("reads the query of an absolute URL too", () => {
    expect(queryTokens("http://127.0.0.1:3000/api?access_token=t")).toEqual(["t"]);
  });
});

describe("bodyTokens (RFC 6750 §2.2)", () => {
  it("reads a string or an array of strings from a parsed form", () => {
    expect(bodyTokens({ access_token: "t" })).toEqual(["t"]);
    expect(bodyTokens({ access_token: ["a", "b"] })).toEqual(["a", "b"]);
  });

  it("ignores bodies that are not parsed objects, and inherited or non-string fields", () => {
    expect(bodyTokens(undefined)).toEqual([]);
    expect(bodyTokens("access_token=t")).toEqual([]);
    expect(bodyTokens(Object.create({ access_token: "inherited" }))).toEqual([]);
    expect(bodyTokens({ access_token: 42 })).toEqual([]);
    expect(bodyTokens({ access_token: [1, "t"] })).toEqual(["t"]);
  });
});

describe("formBodyTokens: only form-encoded bodies carry tokens (RFC 6750 §2.2)", () => {
  it("reads a parsed form body of a form-encoded request, whatever the media type's case and parameters", () => {
    for (const type of ["application/x-www-form-urlencoded", "Application/X-WWW-Form-Urlencoded", "application/x-www-form-urlencoded; charset=utf-8"]) {
      expect(formBodyTokens(type, { access_token: "t" }), type).toEqual(["t"]);
    }
  });

  it("ignores the same field in a JSON, multipart or untyped body, where it is the application's data", () => {
    for (const type of [undefined, "", "application/json", "multipart/form-data; boundary=x", "application/x-www-form-urlencodedx", "text/plain"]) {
      expect(formBodyTokens(type, { access_token: "t" }), String(type)).toEqual([]);
    }
  });
});

describe("headerValues and pathOf", () => {
  it("lists header values whatever their shape", () => {
    expect(headerValues(undefined)).toEqual([]);
    expect(headerValues(null)).toEqual([]);
    expect(headerValues("Bearer a")).toEqual(["Bearer a"]);
    expect(headerValues(["Bearer a", "Bearer b"])).toEqual(["Bearer a", "Bearer b"]);
  });

  it("never keeps the query string (a token could be there) in a path for logs", () => {
    expect(pathOf("/api/x?access_token=secret")).toBe("/api/x");
    fc.assert(
      fc.property(fc.webPath(), fc.webQueryParameters(), (path, query) => {
        expect(pathOf(`${path}?${query}`)).toBe(path.split("?")[0]);
      }),
    );
  });
});
