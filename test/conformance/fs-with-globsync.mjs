// node:fs plus a minimal globSync: enough for the patterns the conformance CLI uses ("**/name", "*.ext").
import fs from 'node:fs'
import path from 'node:path'
export * from 'node:fs'
export default fs

function toRegExp(pattern) {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*' && pattern[i + 1] === '*') {
      re += '(?:.*/)?'
      i += pattern[i + 2] === '/' ? 2 : 1
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

export function globSync(pattern, options = {}) {
  const cwd = options.cwd ?? process.cwd()
  const patterns = Array.isArray(pattern) ? pattern : [pattern]
  const res = patterns.map(toRegExp)
  const out = []
  const walk = (dir) => {
    let entries = []
    try {
      entries = fs.readdirSync(path.join(cwd, dir), { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const rel = dir ? `${dir}/${e.name}` : e.name
      if (res.some((r) => r.test(rel))) out.push(rel)
      if (e.isDirectory()) walk(rel)
    }
  }
  walk('')
  return out
}
