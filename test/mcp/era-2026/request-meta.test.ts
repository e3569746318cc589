import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkRequest, decodeHeaderValue, isStatelessRequest, META, PROTOCOL_2026 } from '../../../src/mcp/era-2026/request-meta.js'
import { ProtocolFault } from '../../../src/mcp/input.js'

const meta = (extra: Record<string, unknown> = {}) => ({ _meta: { [META.protocolVersion]: PROTOCOL_2026, [META.clientCapabilities]: {}, ...extra } })
const H = (extra: Record<string, string | undefined> = {}) => ({ 'mcp-protocol-version': PROTOCOL_2026, 'mcp-method': 'tools/list', ...extra })

test('each request is told apart: a session, initialize or a 2025 version header keep the 2025 path', () => {
  const rows: Array<[string, Record<string, string | undefined>, unknown, boolean]> = [
    ['2026 header and _meta', H(), { method: 'tools/list', params: meta() }, true],
    ['2026 header, no _meta (gets -32602 on the stateless path)', H(), { method: 'server/discover', params: {} }, true],
    ['_meta without a header (gets -32020 on the stateless path)', {}, { method: 'tools/list', params: meta() }, true],
    ['an unknown version header (gets -32022)', { 'mcp-protocol-version': 'v999.0.0' }, { method: 'server/discover' }, true],
    ['a session id, whatever else', { 'mcp-session-id': 'abc', ...H() }, { method: 'tools/list', params: meta() }, false],
    ['initialize without a header', {}, { method: 'initialize', params: {} }, false],
    ['initialize naming 2025-11-25', { 'mcp-protocol-version': '2025-11-25' }, { method: 'initialize' }, false],
    ['initialize naming 2026 (not found there)', H(), { method: 'initialize', params: meta() }, true],
    ['a 2025 header without a session', { 'mcp-protocol-version': '2025-06-18' }, { method: 'tools/list' }, false],
    ['no header, no _meta', {}, { method: 'tools/list' }, false],
    ['a batch with a 2026 header', H(), [{ method: 'tools/list' }], true],
    ['a batch without one', {}, [{ method: 'tools/list' }], false]
  ]
  for (const [name, headers, body, want] of rows) assert.equal(isStatelessRequest(headers, body), want, name)
})

test('every malformed stateless request is refused with the code the revision gives it', () => {
  const rows: Array<[string, Record<string, string | undefined>, string, Record<string, unknown> | undefined, string, number]> = [
    ['no version header', H({ 'mcp-protocol-version': undefined }), 'tools/list', meta(), 'MCP_HEADER_MISMATCH', -32020],
    ['no params at all', H(), 'tools/list', undefined, 'MCP_META_INVALID', -32602],
    ['no _meta', H(), 'tools/list', {}, 'MCP_META_INVALID', -32602],
    ['_meta without protocolVersion', H(), 'tools/list', { _meta: { [META.clientCapabilities]: {} } }, 'MCP_META_INVALID', -32602],
    ['_meta without clientCapabilities', H(), 'tools/list', { _meta: { [META.protocolVersion]: PROTOCOL_2026 } }, 'MCP_META_INVALID', -32602],
    ['capabilities not an object', H(), 'tools/list', meta({ [META.clientCapabilities]: ['sampling'] }), 'MCP_META_INVALID', -32602],
    ['version not a string', H(), 'tools/list', meta({ [META.protocolVersion]: 2026 }), 'MCP_META_INVALID', -32602],
    ['header and _meta disagree', H(), 'tools/list', meta({ [META.protocolVersion]: '2026-01-01' }), 'MCP_HEADER_MISMATCH', -32020],
    ['a version we do not speak', H({ 'mcp-protocol-version': 'v999.0.0' }), 'tools/list', meta({ [META.protocolVersion]: 'v999.0.0' }), 'MCP_PROTOCOL_VERSION_UNSUPPORTED', -32022],
    ['a 2025 version on the stateless path', H({ 'mcp-protocol-version': '2025-11-25' }), 'tools/list', meta({ [META.protocolVersion]: '2025-11-25' }), 'MCP_PROTOCOL_VERSION_UNSUPPORTED', -32022],
    ['no Mcp-Method', H({ 'mcp-method': undefined }), 'tools/list', meta(), 'MCP_HEADER_MISMATCH', -32020],
    ['Mcp-Method of another method', H({ 'mcp-method': 'prompts/list' }), 'tools/list', meta(), 'MCP_HEADER_MISMATCH', -32020],
    ['Mcp-Method in other case', H({ 'mcp-method': 'TOOLS/LIST' }), 'tools/list', meta(), 'MCP_HEADER_MISMATCH', -32020],
    ['no Mcp-Name for tools/call', H({ 'mcp-method': 'tools/call' }), 'tools/call', { name: 'ping', ...meta() }, 'MCP_HEADER_MISMATCH', -32020],
    ['Mcp-Name of another tool', H({ 'mcp-method': 'tools/call', 'mcp-name': 'logout' }), 'tools/call', { name: 'ping', ...meta() }, 'MCP_HEADER_MISMATCH', -32020],
    ['Mcp-Name of another uri', H({ 'mcp-method': 'resources/read', 'mcp-name': 'test://a' }), 'resources/read', { uri: 'test://b', ...meta() }, 'MCP_HEADER_MISMATCH', -32020]
  ]
  for (const [name, headers, method, params, code, rpc] of rows) {
    let caught: unknown
    try {
      checkRequest(headers, method, params)
    } catch (err) {
      caught = err
    }
    assert.ok(caught instanceof ProtocolFault, `${name}: not refused`)
    assert.equal(caught.code, code, name)
    assert.equal(caught.rpcCode, rpc, name)
    assert.equal(caught.status, 400, name)
  }
})

test('an unsupported version lists what we speak and echoes what was asked', () => {
  try {
    checkRequest(H({ 'mcp-protocol-version': 'v9' }), 'tools/list', meta({ [META.protocolVersion]: 'v9' }))
    assert.fail('accepted')
  } catch (err) {
    const rpc = (err as ProtocolFault).toRpc(7)
    assert.equal(rpc.id, 7)
    const data = rpc.error!.data as { supported: string[]; requested: string }
    assert.equal(data.requested, 'v9')
    assert.deepEqual(data.supported.slice(0, 2), ['2026-07-28', '2025-11-25'])
  }
})

test('a well-formed request passes: header names and whitespace are lenient, base64 names are decoded', () => {
  const m = checkRequest(H({ 'mcp-method': ' tools/call ', 'mcp-name': '  ping ' }), 'tools/call', { name: 'ping', ...meta({ [META.logLevel]: 'info', [META.clientInfo]: { name: 'c' } }) })
  assert.equal(m.protocolVersion, PROTOCOL_2026)
  assert.equal(m.logLevel, 'info')
  assert.deepEqual(m.clientInfo, { name: 'c' })
  const uri = 'whatsapp://chat/Zoë'
  checkRequest(H({ 'mcp-method': 'resources/read', 'mcp-name': `=?base64?${Buffer.from(uri).toString('base64')}?=` }), 'resources/read', { uri, ...meta() })
  assert.equal(decodeHeaderValue('=?base64?aGk=?='), 'hi')
  assert.equal(decodeHeaderValue(' plain '), 'plain')
})
