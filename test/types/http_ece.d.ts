// The part of http_ece 1.2 (RFC 8188 encrypted content encoding, with RFC 8291's web push key
// derivation) that test/helpers/push-service.ts uses to decrypt; the package ships no declarations.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';

  interface EceParams {
    /** `aes128gcm` (RFC 8188/8291); the salt, record size and sender key come from the body's header. */
    version?: 'aes128gcm' | 'aesgcm';
    /** The receiver's key pair (the browser's subscription key). */
    privateKey?: ECDH;
    /** The subscription's 16-byte auth secret (base64url or bytes). */
    authSecret?: string | Buffer;
    dh?: string | Buffer;
  }

  const ece: {
    decrypt(buffer: Buffer, params: EceParams): Buffer;
    encrypt(buffer: Buffer, params: EceParams): Buffer;
  };
  export = ece;
}
