import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/config-error.js";
import { protectedResourceMetadata } from "../../src/http/resource-metadata.js";

const WELL_KNOWN = "/.well-known/oauth-protected-resource";

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(ConfigError.is(error)).toBe(true);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("protectedResourceMetadata: where the document lives (RFC 9728 §3.1)", () => {
  it("a resource without a path is served at the bare well-known path", () => {
    const metadata = protectedResourceMetadata({ resource: "https://api.example.com" });
    expect(metadata.path).toBe(WELL_KNOWN);
    expect(metadata.url).toBe(`https://api.example.com${WELL_KNOWN}`);
  });

  it("a resource of just a host and a slash is the same as without the slash", () => {
    const metadata = protectedResourceMetadata({ resource: "https://api.example.com/" });
    expect(metadata.path).toBe(WELL_KNOWN);
    expect(metadata.url).toBe(`https://api.example.com${WELL_KNOWN}`);
  });

  it("inserts the well-known segment between the host and the resource's path", () => {
    const metadata = protectedResourceMetadata({ resource: "https://api.example.com/v1/mcp" });
    expect(metadata.path).toBe(`${WELL_KNOWN}/v1/mcp`);
    expect(metadata.url).toBe(`https://api.example.com${WELL_KNOWN}/v1/mcp`);
  });

  it("drops a terminating slash of the path, so /v1/ and /v1 share one document", () => {
    const metadata = protectedResourceMetadata({ resource: "https://api.example.com/v1/" });
    expect(metadata.path).toBe(`${WELL_KNOWN}/v1`);
    expect(metadata.url).toBe(`https://api.example.com${WELL_KNOWN}/v1`);
  });

  it("keeps the port in the URL, and the query component after the inserted path (RFC 9728 §3.1)", () => {
    const metadata = protectedResourceMetadata({ resource: "https://api.example.com:8443/tenant?id=7" });
    expect(metadata.path).toBe(`${WELL_KNOWN}/tenant`);
    expect(metadata.url).toBe(`https://api.example.com:8443${WELL_KNOWN}/tenant?id=7`);
  });

  it("accepts a loopback http resource for local development", () => {
    expect(protectedResourceMetadata({ resource: "http://localhost:8000" }).url).toBe(`http://localhost:8000${WELL_KNOWN}`);
  });
});

describe("protectedResourceMetadata: configuration mistakes fail at start-up", () => {
  it("refuses a resource that is not an absolute URL with a ConfigError naming the field", () => {
    for (const resource of ["not a url", "/v1/mcp", "", "api.example.com"]) {
      const error = configError(() => protectedResourceMetadata({ resource }));
      expect(error.field).toBe("resource");
      expect(error.message).toContain("RFC 9728");
    }
  });

  it("refuses a resource with a fragment (RFC 9728 §1.2)", () => {
    expect(configError(() => protectedResourceMetadata({ resource: "https://api.example.com/v1#frag" })).field).toBe("resource");
  });
});

describe("protectedResourceMetadata: the document (RFC 9728 §2)", () => {
  it("has the resource exactly as given, the authorization servers, the scopes and the bearer methods", () => {
    const metadata = protectedResourceMetadata({
      resource: "https://api.example.com/v1/",
      authorizationServers: ["https://issuer.example.com", "https://other.example.com"],
      scopesSupported: ["read:data", "write:data"],
      resourceName: "Example API",
      resourceDocumentation: "https://docs.example.com/api",
    });
    // RFC 9728 §3.3: the resource value must be identical to the identifier the client used.
    expect(metadata.document).toEqual({
      resource: "https://api.example.com/v1/",
      authorization_servers: ["https://issuer.example.com", "https://other.example.com"],
      scopes_supported: ["read:data", "write:data"],
      bearer_methods_supported: ["header"],
      resource_name: "Example API",
      resource_documentation: "https://docs.example.com/api",
    });
  });

  it("leaves out optional members that were not given, and always says how tokens may be sent", () => {
    expect(protectedResourceMetadata({ resource: "https://api.example.com" }).document).toEqual({
      resource: "https://api.example.com",
      bearer_methods_supported: ["header"],
    });
    expect(protectedResourceMetadata({ resource: "https://api.example.com", bearerMethodsSupported: ["header", "body"] }).document).toMatchObject({
      bearer_methods_supported: ["header", "body"],
    });
  });

  it("passes extra members through but never lets them replace the resource", () => {
    const metadata = protectedResourceMetadata({
      resource: "https://api.example.com",
      extra: { dpop_bound_access_tokens_required: true, resource: "https://evil.example.com" },
    });
    expect(metadata.document).toMatchObject({ dpop_bound_access_tokens_required: true, resource: "https://api.example.com" });
  });

  it("is frozen and does not share arrays with the caller's options", () => {
    const servers = ["https://issuer.example.com"];
    const metadata = protectedResourceMetadata({ resource: "https://api.example.com", authorizationServers: servers });
    servers.push("https://late.example.com");
    expect(metadata.document.authorization_servers).toEqual(["https://issuer.example.com"]);
    expect(Object.isFrozen(metadata)).toBe(true);
    expect(Object.isFrozen(metadata.document)).toBe(true);
  });

  it("serialises to JSON as served", () => {
    const metadata = protectedResourceMetadata({ resource: "https://api.example.com", scopesSupported: ["a"] });
    expect(JSON.parse(JSON.stringify(metadata.document))).toEqual({
      resource: "https://api.example.com",
      scopes_supported: ["a"],
      bearer_methods_supported: ["header"],
    });
  });
});
