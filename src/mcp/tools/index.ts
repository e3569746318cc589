// The tool registry: every tool the server publishes, in the order tools/list shows them.
import type { ToolDef } from '../tool.js'
import { ping } from './ping.js'
import { getQrCode } from './get-qr-code.js'
import { checkAuthStatus } from './check-auth-status.js'
import { logout } from './logout.js'
import { forceResync } from './force-resync.js'
import { searchContacts, resolveContact, getContactById, getProfilePic } from './contacts.js'
import { listChats, listGroups, listSystemChats } from './list-chats.js'
import { getChatById, getDirectChatByContactNumber, getChatByContact } from './get-chat.js'
import { getGroupInfo, analyzeGroupOverlaps, findMembersWithoutDirectChat, findMembersNotInContacts, runGroupAudit } from './groups.js'
import { listMessages, listRecentMessages, searchMessages, getMessageById, getMessageContext, getLastInteraction } from './messages.js'
import { sendMessage, sendMedia, stageMediaTool } from './send.js'
import { scheduleMessage, listScheduled, cancelScheduled } from './schedule.js'
import { downloadMedia } from './download-media.js'
import { getUpdates, waitForMessages } from './updates.js'
import { createGroup, updateGroupParticipants, updateGroup, getGroupInviteLink, joinGroup, leaveGroup, groupJoinRequests } from './group-actions.js'
import { updateChat, votePoll } from './chat-actions.js'
import { blockContact, unblockContact, updateProfile } from './account-actions.js'
import { sendReaction, editMessage, deleteMessage, forwardMessage, sendLocation, sendContact, sendPoll, markRead, sendPresence, checkWhatsappNumbers } from './message-actions.js'

export const TOOLS: readonly ToolDef[] = [
  getQrCode, checkAuthStatus, logout, forceResync,
  searchContacts, resolveContact, getContactById, getProfilePic, getGroupInfo,
  listChats, listSystemChats, getChatById, listGroups, getDirectChatByContactNumber, getChatByContact,
  analyzeGroupOverlaps, findMembersWithoutDirectChat, findMembersNotInContacts, runGroupAudit,
  listMessages, listRecentMessages, searchMessages, getMessageById, getMessageContext, getLastInteraction, sendMessage,
  sendMedia, downloadMedia, stageMediaTool,
  scheduleMessage, listScheduled, cancelScheduled,
  sendReaction, editMessage, deleteMessage, forwardMessage, sendLocation, sendContact, sendPoll, markRead, sendPresence, checkWhatsappNumbers,
  createGroup, updateGroupParticipants, updateGroup, getGroupInviteLink, joinGroup, leaveGroup, groupJoinRequests,
  updateChat, votePoll,
  blockContact, unblockContact, updateProfile,
  getUpdates, waitForMessages,
  ping
] as unknown as ToolDef[]
