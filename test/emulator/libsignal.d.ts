// libsignal ships no types for its entry points; the emulator uses a small, stable part of it.
declare module 'libsignal' {
  const libsignal: any
  export default libsignal
}
declare module 'libsignal/src/curve.js' {
  export function getPublicFromPrivateKey(privKey: Buffer): Buffer
  export function generateKeyPair(): { pubKey: Buffer; privKey: Buffer }
}
