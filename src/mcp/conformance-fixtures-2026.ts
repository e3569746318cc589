// The conformance suite's fixtures for the 2026-07-28 checks: tools and a prompt that ask the client for
// input (answered as input_required in 2026, as elicitation/create and friends in 2025), one that needs an
// undeclared capability, one that logs. Test-only, like conformance-fixtures.ts.
import { defineTool, READ_ONLY, type ToolDef } from './tool.js'
import type { PromptDef } from './dispatcher.js'
import { z } from 'zod'
import { ProtocolFault, type InputRequest } from './input.js'
import { AppError } from '../errors/app-error.js'

const T = { ...READ_ONLY }
const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] })
const ask = (message: string, field: string, type = 'string'): InputRequest => ({
  method: 'elicitation/create',
  params: { message, requestedSchema: { type: 'object', properties: { [field]: { type } }, required: [field] } }
})
const sample = (prompt: string, maxTokens: number): InputRequest => ({ method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens } })
const ROOTS: InputRequest = { method: 'roots/list', params: {} }
const field = (r: Record<string, unknown> | undefined, k: string) => String((r?.content as Record<string, unknown> | undefined)?.[k] ?? '')
const sampled = (r: Record<string, unknown> | undefined) => String((r?.content as { text?: string } | undefined)?.text ?? '')
const roots = (r: Record<string, unknown> | undefined) => ((r?.roots as Array<{ uri: string }> | undefined) ?? []).map((x) => x.uri).join(', ')
const tool = (name: string, description: string, call: NonNullable<ToolDef['call']>): ToolDef => defineTool({ name, description, input: {}, annotations: { title: name, ...T }, call })

export function fixtureTools2026(): ToolDef[] {
  return [
    tool('test_input_required_result_elicitation', 'Asks the user for a name.', async (_a, ctx) => {
      const r = await ctx.input({ user_name: ask('What is your name?', 'name') })
      return text(`Hello, ${field(r.user_name, 'name')}!`)
    }),
    tool('test_input_required_result_sampling', 'Asks the client to sample an answer.', async (_a, ctx) => {
      const r = await ctx.input({ capital_question: sample('What is the capital of France?', 100) })
      return text(`Sampled: ${sampled(r.capital_question)}`)
    }),
    tool('test_input_required_result_list_roots', 'Asks the client for its roots.', async (_a, ctx) => {
      const r = await ctx.input({ client_roots: ROOTS })
      return text(`Roots: ${roots(r.client_roots)}`)
    }),
    tool('test_input_required_result_request_state', 'Asks for a confirmation; the answer travels with sealed state.', async (_a, ctx) => {
      const r = await ctx.input({ confirm: ask('Please confirm', 'ok', 'boolean') })
      return text(`state-ok: confirmed=${field(r.confirm, 'ok')}`)
    }),
    tool('test_input_required_result_multiple_inputs', 'Asks for a name, a sampled greeting and the roots at once.', async (_a, ctx) => {
      const r = await ctx.input({ user_name: ask('What is your name?', 'name'), greeting: sample('Generate a greeting', 50), client_roots: ROOTS })
      return text(`${sampled(r.greeting)} ${field(r.user_name, 'name')} (roots: ${roots(r.client_roots)})`)
    }),
    tool('test_input_required_result_multi_round', 'Asks twice, one question after the other.', async (_a, ctx) => {
      const one = await ctx.input({ step1: ask('Step 1: What is your name?', 'name') })
      const two = await ctx.input({ step2: ask('Step 2: What is your favorite color?', 'color') })
      return text(`${field(one.step1, 'name')} likes ${field(two.step2, 'color')}`)
    }),
    tool('test_input_required_result_tampered_state', 'Asks for a confirmation; tampered state is refused.', async (_a, ctx) => {
      const r = await ctx.input({ confirm: ask('Please confirm', 'ok', 'boolean') })
      return text(`confirmed=${field(r.confirm, 'ok')}`)
    }),
    tool('test_input_required_result_capabilities', 'Asks only for what the client declared it can answer.', async (_a, ctx) => {
      const want: Record<string, InputRequest> = {}
      if (ctx.clientCan('elicitation/create')) want.user_name = ask('What is your name?', 'name')
      if (ctx.clientCan('sampling/createMessage')) want.greeting = sample('Generate a greeting', 50)
      const r = await ctx.input(want)
      return text(`answered: ${Object.keys(r).join(', ')}`)
    }),
    tool('test_streaming_elicitation', 'Asks for a confirmation (never as a request on the response stream).', async (_a, ctx) => {
      const r = await ctx.input({ confirm: ask('Continue?', 'ok', 'boolean') })
      return text(`confirmed=${field(r.confirm, 'ok')}`)
    }),
    tool('test_missing_capability', 'Needs sampling; a client without it gets MCP_CLIENT_CAPABILITY_MISSING.', async (_a, ctx) => {
      const r = await ctx.request('sampling/createMessage', sample('Say hi', 10).params)
      return text(`Sampled: ${sampled(r)}`)
    }),
    tool('test_trigger_resource_update', 'Announces that test://static-text changed (for subscription tests).', async (_a, ctx) => {
      ctx.services.serverEvents?.emit({ kind: 'resourceUpdated', uri: 'test://static-text' })
      return text('announced')
    }),
    tool('test_logging_tool', 'Logs three messages.', async (_a, ctx) => {
      for (const m of ['started', 'working', 'done']) ctx.log('info', m)
      return text('logged')
    })
  ]
}

/** a pause that ends early, with an error, when the call is cancelled */
const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(t), reject(new AppError('TIMEOUT', 'cancelled'))), { once: true })
  })

/** the tasks extension's fixtures (SEP-2663) */
export function fixtureTasks2026(): ToolDef[] {
  return [
    defineTool({ name: 'greet', description: 'Greets at once (never a task).', input: { name: z.string() }, annotations: { title: 'greet', ...T }, call: async (a) => text(`Hello, ${a.name}!`) }),
    defineTool({
      name: 'slow_compute',
      description: 'Sleeps `seconds`, then answers; a task for clients with the tasks extension.',
      input: { seconds: z.number().min(0).max(600), label: z.string().optional() },
      annotations: { title: 'slow_compute', ...T },
      taskSupport: 'optional',
      call: async (a, ctx) => {
        await pause(a.seconds * 1000, ctx.signal)
        return text(`computed ${a.label ?? ''} after ${a.seconds}s`)
      }
    }),
    defineTool({
      name: 'failing_job',
      description: 'Fails as a tool after about a second (only as a task).',
      input: {},
      annotations: { title: 'failing_job', ...T },
      taskSupport: 'required',
      call: async (_a, ctx) => {
        await pause(1000, ctx.signal)
        throw new AppError('WA_QUERY_FAILED', 'the job failed, as it always does')
      }
    }),
    defineTool({
      name: 'protocol_error_job',
      description: 'Fails with a protocol error.',
      input: {},
      annotations: { title: 'protocol_error_job', ...T },
      taskSupport: 'optional',
      call: async () => {
        throw new ProtocolFault('INTERNAL', 'the job hit an internal error')
      }
    }),
    defineTool({
      name: 'confirm_delete',
      description: 'Asks the user to confirm, then answers.',
      input: { filename: z.string().optional() },
      annotations: { title: 'confirm_delete', ...T },
      taskSupport: 'optional',
      call: async (a, ctx) => {
        const r = await ctx.input({ confirm: ask(`Delete ${a.filename ?? 'the file'}?`, 'confirm', 'boolean') })
        return text(`deleted=${field(r.confirm, 'confirm')}`)
      }
    }),
    defineTool({
      name: 'multi_input',
      description: 'Asks two questions at once.',
      input: {},
      annotations: { title: 'multi_input', ...T },
      taskSupport: 'optional',
      call: async (_a, ctx) => {
        const r = await ctx.input({ first: ask('First name?', 'name'), second: ask('Confirm?', 'confirm', 'boolean') })
        return text(`${field(r.first, 'name')} ${field(r.second, 'confirm')}`)
      }
    }),
    defineTool({
      name: 'test_tool_with_task',
      description: 'Asks for a name in the call, then goes on as a task.',
      input: {},
      annotations: { title: 'test_tool_with_task', ...T },
      taskSupport: 'required',
      detachesItself: true,
      call: async (_a, ctx) => {
        const r = await ctx.input({ user_name: ask('What is your name?', 'name') })
        ctx.detach()
        await pause(200, ctx.signal)
        return text(`Hello from the task, ${field(r.user_name, 'name')}`)
      }
    })
  ]
}

export const fixturePrompts2026: PromptDef[] = [
  {
    name: 'test_input_required_result_prompt',
    description: 'A prompt that asks the user for its context first.',
    get: async (_args, input) => {
      const r = await input({ user_context: ask('What context should the prompt use?', 'context') })
      return { messages: [{ role: 'user', content: { type: 'text', text: `Use this context: ${field(r.user_context, 'context')}` } }] }
    }
  }
]
