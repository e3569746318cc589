// Responder side of WhatsApp's Noise XX handshake: the mirror image of Baileys' noise-handler.
import * as curve from 'libsignal/src/curve.js'
import { proto, Curve, hkdf, sha256, aesEncryptGCM, aesDecryptGCM, NOISE_MODE } from '@whiskeysockets/baileys'

const b = (x: Uint8Array): Buffer => Buffer.from(x)

export interface KeyPair {
  public: Buffer
  private: Buffer
}

/** A Curve25519 key pair derived from a 32-byte seed, so a child process can trust the root before it exists. */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  const pub = b(curve.getPublicFromPrivateKey(b(seed)))
  return { private: b(seed), public: pub.length === 33 ? pub.subarray(1) : pub }
}

/** Intermediate + leaf certificates, the leaf naming the server's static noise key. */
export function buildCertChain(root: KeyPair, serverStatic: KeyPair): Uint8Array {
  const intermediate = Curve.generateKeyPair()
  const Details = proto.CertChain.NoiseCertificate.Details
  const t0 = Math.floor(Date.now() / 1000)
  // Baileys checks issuerSerial against its hard-coded root serial 0
  const interDetails = Details.encode({ serial: 1, issuerSerial: 0, key: intermediate.public, notBefore: t0 - 3600, notAfter: t0 + 86400 * 365 }).finish()
  const leafDetails = Details.encode({ serial: 2, issuerSerial: 1, key: serverStatic.public, notBefore: t0 - 3600, notAfter: t0 + 86400 * 30 }).finish()
  return proto.CertChain.encode({
    intermediate: { details: interDetails, signature: Curve.sign(root.private, interDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) }
  }).finish()
}

export class ServerNoise {
  private hash: Buffer
  private salt: Buffer
  private key: Buffer
  private counter = 0
  private transport: { recvKey: Buffer; sendKey: Buffer; r: number; w: number } | null = null

  constructor() {
    const mode = Buffer.from(NOISE_MODE)
    this.hash = mode.length === 32 ? mode : b(sha256(mode))
    this.salt = this.hash
    this.key = this.hash
  }

  get established(): boolean {
    return this.transport !== null
  }

  private iv(counter: number): Buffer {
    const iv = Buffer.alloc(12)
    iv.writeUInt32BE(counter, 8)
    return iv
  }

  authenticate(data: Uint8Array): void {
    this.hash = b(sha256(Buffer.concat([this.hash, data])))
  }

  mixIntoKey(data: Uint8Array): void {
    const k = hkdf(b(data), 64, { salt: this.salt, info: '' })
    this.salt = b(k.subarray(0, 32))
    this.key = b(k.subarray(32))
    this.counter = 0
  }

  encrypt(pt: Uint8Array): Buffer {
    const ct = b(aesEncryptGCM(pt, this.key, this.iv(this.counter++), this.hash))
    this.authenticate(ct)
    return ct
  }

  decrypt(ct: Uint8Array): Buffer {
    const pt = b(aesDecryptGCM(ct, this.key, this.iv(this.counter++), this.hash))
    this.authenticate(ct)
    return pt
  }

  finish(): void {
    const k = hkdf(Buffer.alloc(0), 64, { salt: this.salt, info: '' })
    // the client encrypts with the first half, so the server receives with it
    this.transport = { recvKey: b(k.subarray(0, 32)), sendKey: b(k.subarray(32)), r: 0, w: 0 }
  }

  encryptFrame(pt: Uint8Array): Buffer {
    const t = this.transport!
    return b(aesEncryptGCM(pt, t.sendKey, this.iv(t.w++), Buffer.alloc(0)))
  }

  decryptFrame(ct: Uint8Array): Buffer {
    const t = this.transport!
    return b(aesDecryptGCM(ct, t.recvKey, this.iv(t.r++), Buffer.alloc(0)))
  }
}
