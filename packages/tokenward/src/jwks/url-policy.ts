import { show } from "../errors/hints.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Why `raw` may not be fetched, or undefined when it may. Keys and metadata
 * travel over https only; plain http is accepted on loopback hosts so local
 * issuers and tests work, and elsewhere only with an option whose name says
 * what it gives up (CONTRACT.md).
 */
export function fetchUrlProblem(raw: string, allowInsecureHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${show(raw)} is not an absolute URL`;
  }
  if (url.username !== "" || url.password !== "") return "credentials in a URL end up in logs; remove them";
  if (url.hash !== "") return `${show(raw)} has a #fragment, which no server sees`;
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:") {
    if (isLoopbackUrl(url) || allowInsecureHttp) return undefined;
    return `${show(raw)} uses http on a non-loopback host; use https (http is accepted only on 127.0.0.1, ::1 and localhost, or with dangerouslyAllowInsecureHttp)`;
  }
  return `${show(raw)} must be an https URL`;
}
