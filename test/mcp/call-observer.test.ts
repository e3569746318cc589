// The code the audit trail records for an isError result: the registry code its structuredContent, its
// text's `CODE: ` prefix or its JSON carries, INTERNAL for anything else.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { codeOf } from '../../src/mcp/call-observer.js'
import { toolErrorResult } from '../../src/mcp/dispatcher.js'
import { AppError } from '../../src/errors/app-error.js'
import type { CallToolResult } from '../../src/mcp/tool.js'

test('an isError result gives its code; text that is not the error shape gives INTERNAL', () => {
  const rows: Array<[string, CallToolResult, string]> = [
    ['the dispatcher\'s own error result', toolErrorResult(new AppError('CHAT_NOT_FOUND')), 'CHAT_NOT_FOUND'],
    ['the dispatcher\'s error result without structuredContent (a 2025 session, a tool with an outputSchema)', toolErrorResult(new AppError('CHAT_FORBIDDEN'), false), 'CHAT_FORBIDDEN'],
    ['a structured error of a tool of its own', { isError: true, content: [{ type: 'text', text: 'no' }], structuredContent: { error: { code: 'WA_NOT_READY' } } }, 'WA_NOT_READY'],
    ['the older JSON text form', { isError: true, content: [{ type: 'text', text: '{"error":{"code":"CHAT_NOT_FOUND"}}' }] }, 'CHAT_NOT_FOUND'],
    ['an unknown error', toolErrorResult(new Error('boom')), 'INTERNAL'],
    ['plain text', { isError: true, content: [{ type: 'text', text: 'it failed' }] }, 'INTERNAL'],
    ['JSON without a code', { isError: true, content: [{ type: 'text', text: '{"error":{}}' }] }, 'INTERNAL'],
    ['a code that is not a string', { isError: true, content: [{ type: 'text', text: '{"error":{"code":5}}' }] }, 'INTERNAL'],
    ['an image first', { isError: true, content: [{ type: 'image', data: '', mimeType: 'image/png' }] }, 'INTERNAL'],
    ['no content', { isError: true, content: [] }, 'INTERNAL']
  ]
  for (const [what, result, code] of rows) assert.equal(codeOf(result), code, what)
})
