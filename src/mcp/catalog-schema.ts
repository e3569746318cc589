// The JSON Schemas tools/list publishes, kept short: every client sends the whole catalog to its model on
// every turn, so bytes that say nothing are cost without value. The rewriting is lossless for validation:
// what it drops is either a default of JSON Schema (`additionalProperties: {}`, empty `properties`), a bound
// no JSON number a client sends can exceed in practice (zod's ±2^53 on integers), the length caps of
// strings and lists (they protect the server, which still enforces them and says so in INVALID_INPUT), or,
// in output schemas only, `additionalProperties: false` (our results carry only the declared fields, so a
// client validating them against the looser schema accepts exactly what it accepted before).
import { z } from 'zod'

type Json = Record<string, unknown>

const SAFE = Number.MAX_SAFE_INTEGER
const COMPAT = 'x-compat'
const LENGTH_CAPS = new Set(['minLength', 'maxLength', 'maxItems', 'minItems'])

/**
 * An input accepted for the prompts of the project this one re-imagines but not advertised: it does
 * nothing here, so a model reading the catalog need not pay for it.
 */
export function compat<T extends z.ZodType>(s: T): T {
  return s.meta({ [COMPAT]: true }) as T
}

function shrink(node: unknown, output: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => shrink(n, output))
  if (!node || typeof node !== 'object') return node
  const o: Json = {}
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$schema') continue
    if (k === 'additionalProperties' && ((typeof v === 'object' && v && !Object.keys(v).length) || (output && v === false))) continue
    if (k === 'properties' && v && typeof v === 'object' && !Object.keys(v).length) continue
    if (k === 'propertyNames' && (v as Json)?.type === 'string' && Object.keys(v as Json).length === 1) continue
    if ((k === 'minimum' && v === -SAFE) || (k === 'maximum' && v === SAFE)) continue
    // string and list length caps guard the server, not the model: the server still enforces them
    if (LENGTH_CAPS.has(k)) continue
    // names of properties are data, not schema keywords: recurse into each value, keep every key
    if ((k === 'properties' || k === '$defs') && v && typeof v === 'object') {
      const kept = Object.entries(v as Json).filter(([, pv]) => !(pv as Json)?.[COMPAT])
      o[k] = Object.fromEntries(kept.map(([pk, pv]) => [pk, shrink(pv, output)]))
      continue
    }
    // which result fields are always there is for code generators, not for a model; the client's check of
    // structuredContent still holds every type
    if (k === 'required' && output) continue
    if (k === 'required' && Array.isArray(v)) {
      const props = (node as Json).properties as Json | undefined
      o[k] = v.filter((r) => !(props?.[r as string] as Json | undefined)?.[COMPAT])
      continue
    }
    o[k] = shrink(v, output)
  }
  return o
}

/**
 * A zod object as tools/list publishes it: JSON Schema 2020-12 (what MCP assumes, so no `$schema` line), a
 * shared shape (`.meta({ id })`) used twice in one schema written once under `$defs`, and the no-op keywords above left out.
 * Inputs marked with `compat` are accepted but left out.
 */
export function publishedSchema(schema: z.ZodObject, kind: 'input' | 'output'): Json {
  return inlineSingleUse(shrink(z.toJSONSchema(schema, { io: kind, unrepresentable: 'any' }), kind === 'output') as Json)
}

/** a shared shape (one with a `.meta({ id })`) used once in this schema is written in place, not in $defs */
function inlineSingleUse(json: Json): Json {
  const defs = json.$defs as Json | undefined
  if (!defs) return json
  const text = JSON.stringify(json)
  const once = Object.keys(defs).filter((id) => text.split(`"#/$defs/${id}"`).length === 2)
  if (!once.length) return json
  const swap = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(swap)
    if (!n || typeof n !== 'object') return n
    const ref = (n as Json).$ref
    if (typeof ref === 'string' && once.includes(ref.slice(8))) return swap(defs[ref.slice(8)])
    return Object.fromEntries(Object.entries(n as Json).map(([k, v]) => [k, swap(v)]))
  }
  const { $defs: _d, ...rest } = json
  const out = swap(rest) as Json
  const left = Object.fromEntries(Object.entries(defs).filter(([id]) => !once.includes(id)).map(([id, v]) => [id, swap(v)]))
  return Object.keys(left).length ? { ...out, $defs: left } : out
}

/** the value the specification gives a hint that is left out (ToolAnnotations) */
const HINT_DEFAULTS = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true } as const

/**
 * The hints as published: the title is the tool's own `title` already (MCP 2025-06-18 and later), a hint
 * equal to the specification's default is left out (a client reads it as that default: a write tool that
 * reaches WhatsApp says only `destructiveHint: false` when it is not destructive), and a read-only tool
 * leaves out destructiveHint and idempotentHint, which the specification calls meaningful only when
 * readOnlyHint is false. About a thirtieth of tools/list.
 */
export function publishedAnnotations<A extends { title: string; readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean }>(a: A): Partial<Omit<A, 'title'>> {
  const out: Record<string, boolean> = {}
  for (const k of Object.keys(HINT_DEFAULTS) as Array<keyof typeof HINT_DEFAULTS>) {
    if (a.readOnlyHint && (k === 'destructiveHint' || k === 'idempotentHint')) continue
    if (a[k] !== HINT_DEFAULTS[k]) out[k] = a[k]
  }
  return out as Partial<Omit<A, 'title'>>
}
