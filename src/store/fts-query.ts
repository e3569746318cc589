// What a search_messages query means, translated into an FTS5 expression that user input can never break:
// every term goes in double quotes, so FTS5 syntax (NEAR, column filters, stray brackets or quotes) stays
// text. The operators we give a meaning are few and documented in the tool:
//   words            all of them (the last one also as a prefix: "meet tomo" finds "tomorrow")
//   "a phrase"       these words in this order
//   word*            any word starting so
//   a OR b           either (uppercase OR, between two terms)
//   -word            leave out messages with it (needs a word to find)
// The index drops symbols (unicode61), so "c++" alone would search for every "c". A term that starts or
// ends with a symbol (c++, c#, .net) is looked up by its letters and then kept only where the body holds
// it as written (a `literals` check, case-insensitive for ASCII).

export interface FtsQuery {
  /** the FTS5 MATCH expression; null when no term has letters or digits to look up */
  match: string | null
  /** terms that must also appear in the body as written (SQL LIKE) */
  literals: string[]
}

interface Term {
  text: string
  phrase: boolean
  prefix: boolean
  negated: boolean
  or: boolean
}

const WORDISH = /[\p{L}\p{N}]/u
const EDGE_SYMBOL = /^[^\p{L}\p{N}]|[^\p{L}\p{N}]$/u

function terms(input: string): Term[] {
  const out: Term[] = []
  let or = false
  for (const m of input.matchAll(/(-?)"([^"]*)"?|(\S+)/g)) {
    if (m[3] === 'OR') {
      or = out.length > 0
      continue
    }
    const negated = m[1] === '-' || (m[3]?.startsWith('-') === true && m[3].length > 1)
    const phrase = m[2] !== undefined
    let text = phrase ? m[2]!.trim() : negated ? m[3]!.slice(1) : m[3]!
    const prefix = !phrase && text.length > 1 && text.endsWith('*')
    if (prefix) text = text.replace(/\*+$/, '')
    // punctuation around a word is not part of it; a term of punctuation only is searched as written
    if (!phrase) text = text.replace(/^[(\[{]+|[.,!?;:)\]}]+$/g, '') || text
    if (!text) continue
    out.push({ text, phrase, prefix, negated, or: or && !negated })
    or = false
  }
  return out
}

const quoted = (t: Term, implicitPrefix: boolean): string => `"${t.text.replace(/"/g, '""')}"${t.prefix || implicitPrefix ? '*' : ''}`

/** the query a person or model typed -> an FTS5 expression and the literal checks (see the header) */
export function translateQuery(input: string): FtsQuery {
  const all = terms(input)
  const literals = all.filter((t) => !t.phrase && !t.negated && EDGE_SYMBOL.test(t.text)).map((t) => t.text.toLowerCase())
  const lastPlain = all.findLastIndex((t) => !t.phrase && !t.negated)
  const groups: string[][] = []
  const excluded: string[] = []
  all.forEach((t, i) => {
    if (!WORDISH.test(t.text)) return
    // a symbol at the end is checked literally, so it is not also a prefix of every longer word
    const q = quoted(t, i === lastPlain && i === all.length - 1 && !t.prefix && !EDGE_SYMBOL.test(t.text))
    if (t.negated) excluded.push(q)
    else if (t.or && groups.length) groups.at(-1)!.push(q)
    else groups.push([q])
  })
  if (!groups.length) return { match: null, literals }
  let match = groups.map((g) => (g.length > 1 ? `(${g.join(' OR ')})` : g[0]!)).join(' AND ')
  for (const x of excluded) match = `(${match}) NOT ${x}`
  return { match, literals }
}
