/** A configuration path one step further: `clients[1]`, `keys.directory`, `claims["https://example.com/tenant"]`. */
export function child(path: string, step: string | number): string {
  if (typeof step === "number") return `${path}[${step}]`;
  const name = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(step) ? step : undefined;
  if (name === undefined) return `${path}[${JSON.stringify(step)}]`;
  return path === "" ? name : `${path}.${name}`;
}
