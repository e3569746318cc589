// The MCP conformance suite's named fixtures (tools, resources, prompts). Test-only: published only with
// MCP_CONFORMANCE_FIXTURES=true, so the official suite can exercise every scenario against this server.
import { z } from 'zod'
import { defineTool, READ_ONLY, type ToolDef } from './tool.js'
import { fixturePrompts2026, fixtureTasks2026, fixtureTools2026 } from './conformance-fixtures-2026.js'
import type { PromptDef, Registry, ResourceDef, ResourceTemplateDef } from './dispatcher.js'

// a 1x1 red PNG and a tiny silent WAV
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
const WAV = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQIAAAB/fw=='
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] })
const T = { ...READ_ONLY }

function fixtureTools(): ToolDef[] {
  const tools = [
    defineTool({ name: 'test_simple_text', description: 'Returns simple text.', input: {}, annotations: { title: 'Simple text', ...T }, call: async () => text('This is a simple text response for testing.') }),
    defineTool({ name: 'test_image_content', description: 'Returns an image.', input: {}, annotations: { title: 'Image', ...T }, call: async () => ({ content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] }) }),
    defineTool({ name: 'test_audio_content', description: 'Returns audio.', input: {}, annotations: { title: 'Audio', ...T }, call: async () => ({ content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }] }) }),
    defineTool({
      name: 'test_embedded_resource',
      description: 'Returns an embedded resource.',
      input: {},
      annotations: { title: 'Embedded resource', ...T },
      call: async () => ({ content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }] })
    }),
    defineTool({
      name: 'test_multiple_content_types',
      description: 'Returns text, an image and a resource.',
      input: {},
      annotations: { title: 'Mixed content', ...T },
      call: async () => ({
        content: [
          { type: 'text', text: 'Multiple content types test:' },
          { type: 'image', data: PNG, mimeType: 'image/png' },
          { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' } }
        ]
      })
    }),
    defineTool({
      name: 'test_tool_with_logging',
      description: 'Logs three messages while it runs.',
      input: {},
      annotations: { title: 'Logging', ...T },
      call: async (_a, ctx) => {
        ctx.log('info', 'Tool execution started')
        await sleep(50)
        ctx.log('info', 'Tool processing data')
        await sleep(50)
        ctx.log('info', 'Tool execution completed')
        return text('Tool with logging executed successfully')
      }
    }),
    defineTool({
      name: 'test_tool_with_progress',
      description: 'Reports progress 0, 50, 100.',
      input: {},
      annotations: { title: 'Progress', ...T },
      call: async (_a, ctx) => {
        for (const progress of [0, 50, 100]) {
          if (ctx.progressToken !== undefined) ctx.notify('notifications/progress', { progressToken: ctx.progressToken, progress, total: 100 })
          if (progress < 100) await sleep(50)
        }
        return text('Tool with progress executed successfully')
      }
    }),
    defineTool({ name: 'test_error_handling', description: 'Always fails.', input: {}, annotations: { title: 'Error', ...T }, call: async () => ({ isError: true, content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }] }) }),
    defineTool({
      name: 'test_sampling',
      description: 'Asks the client to sample an LLM.',
      input: { prompt: z.string() },
      annotations: { title: 'Sampling', ...T },
      call: async (a, ctx) => {
        const r = await ctx.request('sampling/createMessage', { messages: [{ role: 'user', content: { type: 'text', text: a.prompt } }], maxTokens: 100 })
        return text(`LLM response: ${(r.content as { text?: string } | undefined)?.text ?? JSON.stringify(r)}`)
      }
    }),
    defineTool({
      name: 'test_elicitation',
      description: 'Asks the user for input.',
      input: { message: z.string() },
      annotations: { title: 'Elicitation', ...T },
      call: async (a, ctx) => {
        const r = await ctx.request('elicitation/create', {
          message: a.message,
          requestedSchema: { type: 'object', properties: { username: { type: 'string', description: "User's response" }, email: { type: 'string', description: "User's email address" } }, required: ['username', 'email'] }
        })
        return text(`User response: action=${String(r.action)}, content=${JSON.stringify(r.content ?? {})}`)
      }
    }),
    defineTool({
      name: 'test_elicitation_sep1034_defaults',
      description: 'Elicitation with defaults for every primitive type.',
      input: {},
      annotations: { title: 'Elicitation defaults', ...T },
      call: async (_a, ctx) => {
        const r = await ctx.request('elicitation/create', {
          message: 'Please review and update the form fields with defaults',
          requestedSchema: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'User name', default: 'John Doe' },
              age: { type: 'integer', description: 'User age', default: 30 },
              score: { type: 'number', description: 'User score', default: 95.5 },
              status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
              verified: { type: 'boolean', description: 'Verification status', default: true }
            },
            required: []
          }
        })
        return text(`Elicitation completed: action=${String(r.action)}, content=${JSON.stringify(r.content ?? {})}`)
      }
    }),
    defineTool({
      name: 'test_elicitation_sep1330_enums',
      description: 'Elicitation with the five enum forms.',
      input: {},
      annotations: { title: 'Elicitation enums', ...T },
      call: async (_a, ctx) => {
        const r = await ctx.request('elicitation/create', {
          message: 'Please select options from the enum fields',
          requestedSchema: {
            type: 'object',
            properties: {
              untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
              titledSingle: { type: 'string', description: 'Select one option with titles', oneOf: [{ const: 'value1', title: 'First Option' }, { const: 'value2', title: 'Second Option' }, { const: 'value3', title: 'Third Option' }] },
              legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
              untitledMulti: { type: 'array', description: 'Select multiple options', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
              titledMulti: { type: 'array', description: 'Select multiple options with titles', minItems: 1, maxItems: 3, items: { anyOf: [{ const: 'value1', title: 'First Choice' }, { const: 'value2', title: 'Second Choice' }, { const: 'value3', title: 'Third Choice' }] } }
            },
            required: []
          }
        })
        return text(`Elicitation completed: action=${String(r.action)}, content=${JSON.stringify(r.content ?? {})}`)
      }
    }),
    defineTool({
      name: 'json_schema_2020_12_tool',
      description: 'Tool with JSON Schema 2020-12 features',
      input: { name: z.string().optional(), address: z.object({ street: z.string().optional(), city: z.string().optional() }).optional() },
      inputJsonSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
        properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
        additionalProperties: false
      },
      annotations: { title: 'JSON Schema 2020-12', ...T },
      call: async (a) => text(`Received: ${JSON.stringify(a)}`)
    }),
    defineTool({
      name: 'test_reconnection',
      description: 'Closes its SSE stream mid-call; the result follows on the GET stream the client reopens.',
      input: {},
      annotations: { title: 'Reconnection', ...T },
      call: async (_a, ctx) => {
        ctx.closeStream?.()
        await sleep(100)
        return text('Reconnection test completed successfully')
      }
    })
  ]
  return tools as unknown as ToolDef[]
}

const resources: ResourceDef[] = [
  { uri: 'test://static-text', name: 'static-text', description: 'A static text resource', mimeType: 'text/plain', read: async () => [{ uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' }] },
  { uri: 'test://static-binary', name: 'static-binary', description: 'A static binary resource', mimeType: 'image/png', read: async () => [{ uri: 'test://static-binary', mimeType: 'image/png', blob: PNG }] },
  { uri: 'test://watched-resource', name: 'watched-resource', description: 'A resource to subscribe to', mimeType: 'text/plain', read: async () => [{ uri: 'test://watched-resource', mimeType: 'text/plain', text: 'Watched resource content' }] }
]

const templates: ResourceTemplateDef[] = [
  {
    uriTemplate: 'test://template/{id}/data',
    name: 'template',
    description: 'A resource template with an id',
    mimeType: 'application/json',
    match: (uri) => {
      const m = /^test:\/\/template\/([^/]+)\/data$/.exec(uri)
      return m ? { id: decodeURIComponent(m[1]!) } : undefined
    },
    read: async (uri, v) => [{ uri, mimeType: 'application/json', text: JSON.stringify({ id: v.id, templateTest: true, data: `Data for ID: ${v.id}` }) }]
  }
]

const prompts: PromptDef[] = [
  { name: 'test_simple_prompt', description: 'A simple prompt', get: async () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }] }) },
  {
    name: 'test_prompt_with_arguments',
    description: 'A prompt with arguments',
    arguments: [{ name: 'arg1', description: 'First test argument', required: true }, { name: 'arg2', description: 'Second test argument', required: true }],
    get: async (a) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${a.arg1}', arg2='${a.arg2}'` } }] }),
    complete: (_arg, value) => ['paris', 'park', 'party', 'test', 'testing'].filter((v) => v.startsWith(value))
  },
  {
    name: 'test_prompt_with_embedded_resource',
    description: 'A prompt with an embedded resource',
    arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
    get: async (a) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: a.resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } }
      ]
    })
  },
  {
    name: 'test_prompt_with_image',
    description: 'A prompt with an image',
    get: async () => ({ messages: [{ role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } }, { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } }] })
  }
]

export function conformanceFixtures(tools: readonly ToolDef[]): Registry {
  return { tools: [...tools, ...fixtureTools(), ...fixtureTools2026(), ...fixtureTasks2026()], resources, templates, prompts: [...prompts, ...fixturePrompts2026] }
}
