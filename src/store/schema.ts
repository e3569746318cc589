// The message store's schema. One file per account; WAL so the main thread's reader never waits on the
// pool's writer. Bumping SCHEMA_VERSION means adding a step to MIGRATIONS, never editing an old one.
export const SCHEMA_VERSION = 7

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE lid_map (
    lid TEXT PRIMARY KEY,
    pn TEXT NOT NULL
  );
  CREATE INDEX lid_map_pn ON lid_map(pn);

  CREATE TABLE contacts (
    jid TEXT PRIMARY KEY,          -- canonical: the phone JID when known, else the LID
    lid TEXT,
    phone TEXT,                    -- digits only, for anchored number search
    name TEXT,                     -- the account's address-book name
    notify TEXT,                   -- the person's own push name
    verified_name TEXT,
    is_my_contact INTEGER,
    img_url TEXT,
    status TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX contacts_phone ON contacts(phone);
  CREATE INDEX contacts_lid ON contacts(lid);

  CREATE TABLE chats (
    jid TEXT PRIMARY KEY,
    name TEXT,
    is_group INTEGER NOT NULL DEFAULT 0,
    unread_count INTEGER NOT NULL DEFAULT 0,
    marked_unread INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    mute_end INTEGER,
    read_only INTEGER NOT NULL DEFAULT 0,
    last_message_at INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX chats_recent ON chats(last_message_at DESC, jid);

  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    chat_jid TEXT NOT NULL,
    id TEXT NOT NULL,
    from_me INTEGER NOT NULL,
    sender_jid TEXT,
    push_name TEXT,
    ts INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT,
    media TEXT,                    -- JSON MediaInfo without the thumbnail
    thumbnail BLOB,
    quoted_id TEXT,
    quoted_sender TEXT,
    mentions TEXT,                 -- JSON array
    status INTEGER,
    edited_at INTEGER,
    revoked INTEGER NOT NULL DEFAULT 0,
    from_history INTEGER NOT NULL DEFAULT 0,
    raw BLOB,
    UNIQUE (chat_jid, id)
  );
  CREATE INDEX messages_chat_ts ON messages(chat_jid, ts, seq);
  CREATE INDEX messages_id ON messages(id);
  CREATE INDEX messages_sender ON messages(sender_jid, ts);

  CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='seq', tokenize='unicode61 remove_diacritics 2');
  CREATE TRIGGER messages_ai AFTER INSERT ON messages WHEN new.body IS NOT NULL BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.seq, new.body);
  END;
  CREATE TRIGGER messages_ad AFTER DELETE ON messages WHEN old.body IS NOT NULL BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
  END;
  CREATE TRIGGER messages_au AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) SELECT 'delete', old.seq, old.body WHERE old.body IS NOT NULL;
    INSERT INTO messages_fts(rowid, body) SELECT new.seq, new.body WHERE new.body IS NOT NULL;
  END;

  CREATE TABLE reactions (
    chat_jid TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sender_jid TEXT NOT NULL,
    emoji TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (chat_jid, message_id, sender_jid)
  );

  CREATE TABLE receipts (
    chat_jid TEXT NOT NULL,
    message_id TEXT NOT NULL,
    user_jid TEXT NOT NULL,
    type TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (chat_jid, message_id, user_jid, type)
  );

  CREATE TABLE poll_votes (
    chat_jid TEXT NOT NULL,
    poll_id TEXT NOT NULL,
    voter_jid TEXT NOT NULL,
    selected TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (chat_jid, poll_id, voter_jid)
  );

  CREATE TABLE groups (
    jid TEXT PRIMARY KEY,
    subject TEXT,
    subject_owner TEXT,
    subject_time INTEGER,
    description TEXT,
    owner TEXT,
    creation INTEGER,
    size INTEGER,
    announce INTEGER,
    restrict_info INTEGER,
    left_group INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE group_participants (
    group_jid TEXT NOT NULL,
    jid TEXT NOT NULL,
    admin TEXT,
    PRIMARY KEY (group_jid, jid)
  );
  CREATE INDEX group_participants_jid ON group_participants(jid);

  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT
  );

  CREATE TABLE idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    result TEXT,
    created_at INTEGER NOT NULL
  );
  `,
  // v2: the full-text index is filled in bulk, once per write, for every message above a watermark
  // (store/fts-index.ts): one INSERT ... SELECT indexes a thousand messages faster than a trigger indexes
  // a hundred. The triggers keep the index right for messages already in it (and for a rowid reused
  // below the watermark); a message not yet indexed gets its final text from the bulk step.
  `
  DROP TRIGGER messages_ai;
  DROP TRIGGER messages_ad;
  DROP TRIGGER messages_au;
  INSERT INTO meta(key, value) VALUES ('fts_seq', (SELECT coalesce(max(seq), 0) FROM messages))
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;
  CREATE TRIGGER messages_ai AFTER INSERT ON messages WHEN new.body IS NOT NULL AND new.seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_seq') BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.seq, new.body);
  END;
  CREATE TRIGGER messages_ad AFTER DELETE ON messages WHEN old.body IS NOT NULL AND old.seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_seq') BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
  END;
  CREATE TRIGGER messages_au AFTER UPDATE OF body ON messages WHEN old.seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_seq') BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) SELECT 'delete', old.seq, old.body WHERE old.body IS NOT NULL;
    INSERT INTO messages_fts(rowid, body) SELECT new.seq, new.body WHERE new.body IS NOT NULL;
  END;
  `,
  // v3: merging a LID into its phone JID rewrites quoted senders and reaction senders; without these
  // indexes each merge read every message and reaction
  `
  CREATE INDEX messages_quoted_sender ON messages(quoted_sender) WHERE quoted_sender IS NOT NULL;
  CREATE INDEX reactions_sender ON reactions(sender_jid);
  `,
  // v4: message ids are random, so every insert into an index on the id alone landed on a page of its own:
  // a third of a history sync's write time, for lookups by a bare id, which are rare. Those now probe
  // (chat, id) chat by chat (messages-repo.ts), tens of milliseconds on ten thousand chats.
  `
  DROP INDEX IF EXISTS messages_id;
  `,
  // v5: the insert trigger only ever indexed a message whose rowid was reused below the watermark (after the
  // newest message was deleted), yet its condition ran for every insert: a seventh of the write time. The
  // bulk step now lowers the watermark when messages at the top are gone (fts-index.ts).
  `
  DROP TRIGGER IF EXISTS messages_ai;
  `,
  // v6: the event log (store/events.ts): every live change an agent may care about, numbered, written in
  // the transaction of the change itself. AUTOINCREMENT: a number is never given twice, even after pruning,
  // so a cursor can never point at an event it did not mean. The store's id tells its cursors from others'.
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    chat_jid TEXT,
    message_id TEXT,
    actor_jid TEXT,
    data TEXT
  );
  CREATE INDEX events_chat ON events(chat_jid, seq);
  INSERT INTO meta(key, value) VALUES ('store_id', lower(hex(randomblob(16)))) ON CONFLICT(key) DO NOTHING;
  `,
  // v7: the number of messages, kept by the writer in each write's transaction (store/apply-batch.ts): a
  // count(*) walked an index of every message on the main thread whenever the status was asked after a
  // write, 25 ms on a million messages, and during a history sync that is every few milliseconds
  `
  INSERT INTO meta(key, value) VALUES ('message_count', (SELECT count(*) FROM messages)) ON CONFLICT(key) DO UPDATE SET value = excluded.value;
  `
]
