// `npm run smoke:mcp`: checks a running server's tools end to end through the MCP SDK client, one
// pass/fail line per tool. MCP_BASE_URL (default http://localhost:3003), MCP_AUTH_TOKEN when set.
// Read-only unless SMOKE_SEND_TO names a person to act with: then every action runs once (messages, a chat's
// pin, archive and unread flags set and set back, a poll vote, a test group with them that is left at the
// end, a block undone at once). The profile is changed only with SMOKE_PROFILE=1 as well (its about text is
// set and cleared, visible to every contact). No hard-coded message ids.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

const base = (process.env.MCP_BASE_URL ?? 'http://localhost:3003').replace(/\/$/, '')
const token = process.env.MCP_AUTH_TOKEN?.split(',')[0]
const client = new Client({ name: 'smoke-mcp', version: '1.0.0' })
await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : undefined))

let failed = 0
const results: Record<string, unknown> = {}
async function check(name: string, args: Record<string, unknown>, expectError = false): Promise<Record<string, unknown> | undefined> {
  const t0 = Date.now()
  try {
    const r = await client.callTool({ name, arguments: args })
    const ok = expectError ? r.isError === true : !r.isError
    const note = r.isError ? ((r.content as Array<{ text?: string }>)[0]?.text ?? '').slice(0, 120) : ''
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(34)} ${String(Date.now() - t0).padStart(5)} ms ${note}`)
    if (!ok) failed++
    results[name] = r.structuredContent
    return r.structuredContent as Record<string, unknown> | undefined
  } catch (err) {
    failed++
    console.log(`FAIL  ${name.padEnd(34)} ${(err as Error).message}`)
    return undefined
  }
}

const { tools } = await client.listTools()
console.log(`${tools.length} tools published by ${base}`)
await check('ping', {})
const auth = await check('check_auth_status', {})
const ready = !!auth?.ready
const chats = ((await check('list_chats', { limit: 5 }))?.chats ?? []) as Array<{ jid: string; is_group: boolean }>
await check('list_system_chats', { limit: 5 })
const groups = ((await check('list_groups', { limit: 5 }))?.chats ?? []) as Array<{ jid: string }>
const direct = chats.find((c) => !c.is_group)
if (direct) {
  await check('get_chat_by_id', { jid: direct.jid })
  const msgs = ((await check('list_messages', { chat_id: direct.jid, limit: 5 }))?.messages ?? []) as Array<{ message_id: string; body: string | null; media: unknown }>
  const first = msgs[0]
  if (first) {
    await check('get_message_by_id', { message_id: first.message_id })
    await check('get_message_context', { message_id: first.message_id, limit: 2 })
    const word = first.body?.split(/\s+/).find((w) => w.length > 3)
    if (word) await check('search_messages', { query: word, limit: 5 })
  }
  const media = msgs.find((m) => m.media)
  if (media && ready) await check('download_media', { message_id: media.message_id })
  await check('get_last_interaction', { jid: direct.jid })
  await check('get_contact_by_id', { jid: direct.jid })
  if (direct.jid.endsWith('@s.whatsapp.net')) await check('get_direct_chat_by_contact_number', { phone_number: `+${direct.jid.split('@')[0]}` })
  if (ready) await check('get_profile_pic', { jid: direct.jid })
}
await check('search_contacts', { query: 'a', limit: 5 })
await check('resolve_contact', { query: 'a', limit: 3 })
await check('get_chat_by_contact', { query: 'a', max_candidates: 3 })
if (groups[0]) await check('get_group_info', { group_jid: groups[0].jid })
await check('run_group_audit', { limit: 5 })
await check('analyze_group_overlaps', { limit: 5 })
await check('find_members_without_direct_chat', { limit: 5 })
await check('find_members_not_in_contacts', { limit: 5 })
await check('get_message_by_id', { message_id: 'nobody@s.whatsapp.net:NOPE' }, true)
await check('get_qr_code', {}, ready)
const updates = await check('get_updates', {})
await check('get_updates', { since: updates?.next_cursor, limit: 5 })
await check('wait_for_messages', { since: updates?.next_cursor, timeout_s: 1 })
if (ready && direct?.jid.endsWith('@s.whatsapp.net')) await check('check_whatsapp_numbers', { phone_numbers: [`+${direct.jid.split('@')[0]}`] })
// the group, chat and account actions, read-only: each refuses before changing anything
if (ready) await check('join_group', { invite: 'AAAAAAAAAAAAAAAAAAAAAA', preview: true }, true)
if (direct) await check('update_chat', { chat_id: direct.jid }, true)
await check('update_group_participants', { group_jid: 'not-a-group', action: 'add', participants: ['+15550000000'] }, true)
await check('vote_poll', { message_id: '15550000000@s.whatsapp.net:NOPE', options: ['yes'] }, true)
await check('update_profile', {}, true)
const to = process.env.SMOKE_SEND_TO
if (to && ready) {
  const sent = await check('send_message', { recipient_jid: to, message: `smoke test ${new Date().toISOString()}` })
  const id = sent?.message_id as string | undefined
  await check('stage_media', { media_content: Buffer.from('smoke').toString('base64'), filename: 'smoke.txt' })
  if (id) {
    await check('send_reaction', { message_id: id, emoji: '👍' })
    await check('edit_message', { message_id: id, text: `smoke test, edited ${new Date().toISOString()}` })
    await check('forward_message', { message_id: id, to })
    await check('delete_message', { message_id: id, for_everyone: true })
  }
  await check('send_location', { recipient_jid: to, latitude: 52.52, longitude: 13.405, name: 'smoke test' })
  await check('send_contact', { recipient_jid: to, contacts: [{ name: 'Smoke Test', phones: ['+15550000000'] }] })
  const poll = await check('send_poll', { recipient_jid: to, question: 'smoke test?', options: ['yes', 'no'] })
  if (poll?.message_id) await check('vote_poll', { message_id: poll.message_id, options: ['yes'] })
  for (const [flag, on] of [['pin', true], ['pin', false], ['archive', true], ['archive', false], ['mark_unread', true], ['mark_unread', false]] as const) await check('update_chat', { chat_id: to, [flag]: on })
  await check('update_chat', { chat_id: to, mute_until: Date.now() + 3_600_000 })
  await check('update_chat', { chat_id: to, mute_until: 'off' })
  const group = (await check('create_group', { subject: `smoke test ${new Date().toISOString().slice(0, 16)}`, participants: [to] }))?.group as { jid: string } | undefined
  if (group) {
    const invite = await check('get_group_invite_link', { group_jid: group.jid })
    await check('get_group_invite_link', { group_jid: group.jid, revoke: true })
    await check('update_group', { group_jid: group.jid, description: 'made by the smoke test', only_admins_edit: true })
    await check('update_group', { group_jid: group.jid, join_approval: true })
    await check('group_join_requests', { group_jid: group.jid })
    await check('update_group_participants', { group_jid: group.jid, action: 'promote', participants: [to] })
    await check('update_group_participants', { group_jid: group.jid, action: 'demote', participants: [to] })
    const fresh = (await check('get_group_invite_link', { group_jid: group.jid }))?.link ?? invite?.link
    if (fresh) await check('join_group', { invite: fresh, preview: true })
    await check('update_group_participants', { group_jid: group.jid, action: 'remove', participants: [to] })
    await check('leave_group', { group_jid: group.jid })
  }
  await check('block_contact', { contact_jid: to })
  await check('unblock_contact', { contact_jid: to })
  if (process.env.SMOKE_PROFILE === '1') {
    await check('update_profile', { about: `smoke test ${new Date().toISOString()}` })
    await check('update_profile', { about: '' })
  }
  await check('send_presence', { state: 'composing', chat_id: to })
  await check('send_presence', { state: 'paused', chat_id: to })
  await check('mark_read', { chat_id: to })
}
await client.close()
console.log(failed ? `${failed} check(s) failed` : 'all checks passed')
process.exit(failed ? 1 : 0)
