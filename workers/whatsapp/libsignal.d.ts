// libsignal ships no types for its entry points; the worker and the emulator use a small, stable part of it.
declare module 'libsignal' {
  const libsignal: any
  export default libsignal
}
declare module 'libsignal/src/curve.js' {
  export function getPublicFromPrivateKey(privKey: Buffer): Buffer
  export function generateKeyPair(): { pubKey: Buffer; privKey: Buffer }
}
declare module 'libsignal/src/protobufs.js' {
  export const WhisperMessage: { decode(data: Uint8Array): unknown }
  export const PreKeyWhisperMessage: { decode(data: Uint8Array): unknown }
}
