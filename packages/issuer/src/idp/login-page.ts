// The sign-in page and the error page of the authorization endpoint: plain
// HTML, no script, no external asset. Every value from the request is
// escaped; the answers are not cached, not framed (clickjacking, RFC 6749
// §10.13) and send no Referer (the URL carries the authorization request).

import { secureResponse } from "../http/respond.js";

const HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  pragma: "no-cache",
  // No form-action: browsers apply it to the redirect that follows the POST, which goes to the client.
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

const STYLE =
  "body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem;color:#222}" +
  "label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.4rem;box-sizing:border-box}" +
  "button{margin-top:1rem;padding:.5rem 1rem}.error{color:#a00}.client{color:#555}";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function page(title: string, body: string, status: number): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${body}
</body></html>
`;
  return secureResponse(html, status, HEADERS);
}

export interface LoginPageOptions {
  /** Where the form posts: the authorization endpoint's path. */
  action: string;
  /** The authorization request's parameters, carried as hidden fields. */
  parameters: ReadonlyMap<string, string>;
  /** Who asks: the client's display name. */
  clientName: string;
  /** The username typed before, shown again after a failed attempt. */
  username?: string;
  /** Why the previous attempt failed. */
  message?: string;
  status?: number;
}

export function loginPage(options: LoginPageOptions): Response {
  const hidden = [...options.parameters].map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join("\n");
  const message = options.message === undefined ? "" : `<p class="error" role="alert">${escapeHtml(options.message)}</p>\n`;
  const body = `<h1>Sign in</h1>
<p class="client">to continue to ${escapeHtml(options.clientName)}</p>
${message}<form method="post" action="${escapeHtml(options.action)}">
${hidden}
<label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" required value="${escapeHtml(options.username ?? "")}">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`;
  return page("Sign in", body, options.status ?? 200);
}

/** An error that cannot go back to the client (RFC 6749 §4.1.2.1): shown to the user instead. */
export function errorPage(description: string, status = 400): Response {
  return page("Sign-in error", `<h1>Sign-in error</h1>\n<p class="error">${escapeHtml(description)}</p>`, status);
}
