/**
 * RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * The one syntax of a bearer token, wherever it arrives (header, query, body)
 * and before an opaque one is sent anywhere (introspection).
 */
export const B64TOKEN: RegExp = /^[A-Za-z0-9\-._~+/]+=*$/;
