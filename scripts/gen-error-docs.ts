/** Regenerates docs/errors.md from src/errors/codes.ts: `npm run docs:errors`. */
import { writeFileSync } from 'node:fs'
import { ERROR_CODES } from '../src/errors/codes.js'

const rows = Object.entries(ERROR_CODES).map(
  ([code, d]) => `| \`${code}\` | ${d.status} | ${d.retryable ? 'yes' : 'no'} | ${d.summary} |`,
)
const text = `# Error codes

Every error the server reports on purpose carries one of these stable codes: in HTTP error bodies
(\`{"error": {"code", "message", "retryable", "data"?}}\`) and in MCP tool results with \`isError: true\`
(the text is \`CODE: message\` and, on the next line, the error object as JSON; \`structuredContent\` is
\`{"error": {…}}\` too, except for a tool with an \`outputSchema\` called in a 2025-era session: the v1
TypeScript SDK client checks any \`structuredContent\` against the schema even on an error result, so there
the text alone carries it). Protocol faults on \`/mcp\` are JSON-RPC errors instead (-32700, -32600,
-32601, -32602, -32603, and the 2026 revision's -32020 and -32021), with the code in \`data.code\`.

Codes are never renamed or reused. This file is generated from \`src/errors/codes.ts\` by
\`npm run docs:errors\`; a test fails when the two disagree.

| code | HTTP status | retryable | meaning |
|---|---|---|---|
${rows.join('\n')}
`
writeFileSync(new URL('../../docs/errors.md', import.meta.url), text)
console.log(`docs/errors.md: ${rows.length} codes`)
