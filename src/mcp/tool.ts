// One tool = one file that calls defineTool: its zod input and output shapes, annotations, and a handler
// that returns the structured result. Errors are AppErrors; the registry turns them into isError results.
import type { z } from 'zod'
import type { Services } from '../app/services.js'

export interface ToolAnnotations {
  title: string
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

export type ContentBlock = { type: 'text'; text: string } | { type: 'image'; data: string; mimeType: string }

export interface ToolContext {
  services: Services
  signal: AbortSignal
}

export interface ToolDef<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  name: string
  description: string
  input: I
  output: O
  annotations: ToolAnnotations
  run(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<z.infer<z.ZodObject<O>>>
  /** extra content blocks besides the JSON text (an image, say) */
  render?(result: z.infer<z.ZodObject<O>>): Promise<ContentBlock[]> | ContentBlock[]
}

export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: ToolDef<I, O>): ToolDef<I, O> {
  return def
}

export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const
export const READ_REMOTE = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const
