// What may reach a response header. uWS writes header values verbatim, so a CR or LF in one would end the
// header and let the rest of the value add headers or a body of its own; quotes and control characters
// break the quoted-string of a content-disposition file name. Everything written as a header goes through
// headerValue (respond.ts and send-file.ts call it); file names go through contentDisposition.
// And how a request header's value is read for a token (namesToken): case-insensitively, cheaply.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g

/** the value with every control character (CR, LF, NUL, tab, ...) removed: safe to write as one header line */
export function headerValue(v: string): string {
  return v.replace(CONTROL, '')
}

/**
 * A content-disposition value (RFC 6266): `filename="..."` with an ASCII-only fallback (no quotes,
 * backslashes or control characters; other characters become `_`), and `filename*=UTF-8''...` with the
 * whole name percent-encoded when it is not plain ASCII. An empty name becomes `file`.
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const clean = name.replace(CONTROL, '').replace(/[\u2028\u2029]/g, '').trim() || 'file'
  // eslint-disable-next-line no-control-regex
  const ascii = clean.replace(/[^\u0020-\u007e]/g, '_').replace(/["\\]/g, '_')
  if (ascii === clean) return `${kind}; filename="${ascii}"`
  const star = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${star}`
}

/**
 * Whether a header value names `token` (a lower-case media type, say), case-insensitively. Clients write
 * media types in lower case, so the value is lowered only when it is not found as given.
 */
export function namesToken(value: string | undefined, token: string): boolean {
  if (!value) return false
  if (value.includes(token)) return true
  const lower = value.toLowerCase()
  return lower !== value && lower.includes(token)
}
