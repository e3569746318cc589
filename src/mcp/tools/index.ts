// The tool registry: every tool the server publishes, in the order tools/list shows them.
import type { ToolDef } from '../tool.js'
import { ping } from './ping.js'
import { getQrCode } from './get-qr-code.js'
import { checkAuthStatus } from './check-auth-status.js'
import { logout } from './logout.js'

export const TOOLS: readonly ToolDef[] = [getQrCode, checkAuthStatus, logout, ping] as unknown as ToolDef[]
