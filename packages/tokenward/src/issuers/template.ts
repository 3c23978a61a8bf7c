export const TENANT_PLACEHOLDER = "{tenantid}";

export interface IssuerTemplate {
  readonly prefix: string;
  readonly suffix: string;
}

// A tenant is one path segment: no separators, no whitespace, nothing a URL would escape.
const TENANT = /^[A-Za-z0-9._~-]+$/;

export function parseTemplate(issuer: string): IssuerTemplate | undefined {
  const at = issuer.indexOf(TENANT_PLACEHOLDER);
  if (at === -1) return undefined;
  return { prefix: issuer.slice(0, at), suffix: issuer.slice(at + TENANT_PLACEHOLDER.length) };
}

/** The tenant an `iss` names under a template, or undefined when it does not fit the template. */
export function matchTemplate(template: IssuerTemplate, iss: string): string | undefined {
  if (iss.length <= template.prefix.length + template.suffix.length) return undefined;
  if (!iss.startsWith(template.prefix) || !iss.endsWith(template.suffix)) return undefined;
  const tenant = iss.slice(template.prefix.length, iss.length - template.suffix.length);
  return TENANT.test(tenant) ? tenant : undefined;
}
