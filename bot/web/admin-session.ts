import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const cookieName = 'animebot_admin';
const sessionMs = 12 * 3600_000;
/** The session cookie goes to the admin area only, never cross-site, never to scripts. */
const cookieOptions = { path: '/admin', httpOnly: true, sameSite: 'strict', signed: true } as const;

/** The user id the bot core's AdminActions know the dashboard's admin by. */
export const webAdminId = 'admin';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * The dashboard's login: one password (ADMIN_PASSWORD), compared in constant time, and a
 * signed session cookie that expires. The signing key is derived from the password, so that
 * every web instance accepts the others' sessions and changing the password ends them all.
 * Without a password the admin area is off.
 */
export class AdminSession {
  /** Signs the session cookie (also when the area is off, so that a forged cookie never verifies). */
  readonly cookieSecret: Buffer;
  private readonly passwordDigest: Buffer | undefined;

  constructor(password: string | undefined) {
    this.passwordDigest = password === undefined ? undefined : digest(password);
    this.cookieSecret = password === undefined ? randomBytes(32) : digest(`animebot admin session\0${password}`);
  }

  get enabled(): boolean {
    return this.passwordDigest !== undefined;
  }

  /** Comparing digests keeps the comparison constant-time whatever the length of the guess. */
  checkPassword(given: string): boolean {
    return this.passwordDigest !== undefined && timingSafeEqual(digest(given), this.passwordDigest);
  }

  isLoggedIn(request: FastifyRequest): boolean {
    const cookie = request.cookies[cookieName];
    if (!this.enabled || !cookie) return false;
    const { valid, value } = request.unsignCookie(cookie);
    const expiresAt = valid && value.startsWith('admin:') ? Number(value.slice('admin:'.length)) : 0;
    return expiresAt > Date.now();
  }

  logIn(reply: FastifyReply): void {
    reply.setCookie(cookieName, `admin:${Date.now() + sessionMs}`, { ...cookieOptions, maxAge: sessionMs / 1000 });
  }

  logOut(reply: FastifyReply): void {
    reply.clearCookie(cookieName, cookieOptions);
  }
}
