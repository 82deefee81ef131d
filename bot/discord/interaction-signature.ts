import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** How far a request's timestamp may be from our clock: older requests are replays (or stuck in a proxy) and refused. */
const maxClockSkewMs = 5 * 60_000;
const signaturePattern = /^[0-9a-f]{128}$/i;
const timestampPattern = /^\d{1,12}$/;

/**
 * Discord signs every request to the interactions endpoint with the application's Ed25519
 * key: `X-Signature-Ed25519` is the signature (hex) of `X-Signature-Timestamp` (Unix
 * seconds) followed by the raw body. Anyone who finds the URL could otherwise act in any
 * user's name, an admin's included.
 */
export class InteractionSignature {
  private readonly key: KeyObject;

  /** `publicKeyHex`: the application's public key as the developer portal shows it (32 bytes, hex). */
  constructor(publicKeyHex: string) {
    this.key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyHex, 'hex').toString('base64url') }, format: 'jwk' });
  }

  /** True when the headers sign this body and the timestamp is recent. */
  valid(headers: { signature: string | undefined; timestamp: string | undefined }, rawBody: Buffer, now = Date.now()): boolean {
    const { signature, timestamp } = headers;
    if (!signature || !timestamp || !signaturePattern.test(signature) || !timestampPattern.test(timestamp)) return false;
    if (Math.abs(now - Number(timestamp) * 1000) > maxClockSkewMs) return false;
    return verify(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]), this.key, Buffer.from(signature, 'hex'));
  }
}
