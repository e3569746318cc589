// Signal key values shaped as Baileys stores them, for the auth store's and its policy's tests.

/** a group sender's key: the JSON of its states, byte arrays as Buffer JSON; ours holds a private signing key */
export const senderKeyRecord = (states: Array<[id: number, iteration: number]>, own = false): Buffer =>
  Buffer.from(JSON.stringify(states.map(([id, iteration]) => ({
    senderKeyId: id,
    senderChainKey: { iteration, seed: Buffer.alloc(32, iteration) },
    senderSigningKey: { public: Buffer.alloc(33, 2), private: Buffer.alloc(own ? 32 : 0, 3) },
    senderMessageKeys: []
  }))))
