// A JSON reader that refuses what JSON.parse lets through: an object naming one key twice. JSON.parse keeps
// the last value, so `{"actor":"main","actor":"recovery"}` reads as one actor and the duplicate goes unseen.
// Small recursive descent over RFC 8259; values come from JSON.parse on each scalar's exact text.

/** Parses `text` as JSON; throws naming the key and its offset when an object has a key twice. */
export function parseStrictJson(text: string): unknown {
  let i = 0
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at ${i}: ${text.slice(Math.max(0, i - 20), i + 20)}`)
  }
  const string = (): string => {
    const start = i
    if (text[i] !== '"') fail('a string expected')
    i++
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    if (i >= text.length) fail('an unterminated string')
    i++
    return JSON.parse(text.slice(start, i)) as string
  }
  const value = (): unknown => {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      const out: Record<string, unknown> = {}
      const seen = new Set<string>()
      ws()
      if (text[i] === '}') return (i++, out)
      for (;;) {
        ws()
        const at = i
        const key = string()
        if (seen.has(key)) throw new SyntaxError(`duplicate key "${key}" at ${at}`)
        seen.add(key)
        ws()
        if (text[i++] !== ':') fail('":" expected')
        out[key] = value()
        ws()
        const sep = text[i++]
        if (sep === '}') return out
        if (sep !== ',') fail('"," or "}" expected')
      }
    }
    if (c === '[') {
      i++
      const out: unknown[] = []
      ws()
      if (text[i] === ']') return (i++, out)
      for (;;) {
        out.push(value())
        ws()
        const sep = text[i++]
        if (sep === ']') return out
        if (sep !== ',') fail('"," or "]" expected')
      }
    }
    if (c === '"') return string()
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i))
    if (!m) fail('a value expected')
    i += m![0].length
    return JSON.parse(m![0]) as unknown
  }
  const v = value()
  ws()
  if (i !== text.length) fail('trailing text')
  return v
}
