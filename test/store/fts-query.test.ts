// Issue 18: search operators were undocumented and "c++" found every word starting with c.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { translateQuery } from '../../src/store/fts-query.js'

test('issue 18: every search operator translates to a quoted FTS5 expression, and user syntax stays text', () => {
  const cases: Array<[string, string | null, string[]]> = [
    ['meet tomo', '"meet" AND "tomo"*', []],
    ['"see you" soon', '"see you" AND "soon"*', []],
    ['cafe OR tea', '("cafe" OR "tea"*)', []],
    ['dune -spoilers', '("dune") NOT "spoilers"', []],
    ['book* club', '"book"* AND "club"*', []],
    ['c++', '"c++"', ['c++']],
    ['c# OR c++ jobs', '("c#" OR "c++") AND "jobs"*', ['c#', 'c++']],
    ['++', null, ['++']],
    ['(((', null, ['(((']],
    ['NEAR(a b)', '"NEAR(a" AND "b"*', []],
    ['col:foo "unclosed', '"col:foo" AND "unclosed"', []],
    ['say "hi"" there', '"say" AND "hi" AND "there"', []]
  ]
  for (const [input, match, literals] of cases) assert.deepEqual(translateQuery(input), { match, literals }, input)
})
