import { randomBytes, randomUUID } from 'node:crypto';
import { signJwt, verifyJwt } from './jwt';
import type { SandboxUser } from './sandbox-options';

// The sandbox's sessions and tokens, as NextSchool documents them (docs/nextschool.md#authentication):
// HS256 JWT access tokens, opaque UUID refresh tokens, optional rotation, logout ending the session.

/** The claims of a sandbox access token. */
export interface AccessClaims {
  /** The user's id as a string, as in NextSchool's tokens (`"sub": "42"`). */
  sub: string;
  username: string;
  sid: string;
  epoch: number;
  iat: number;
  exp: number;
  /** Expiry in ms: `exp` is whole seconds, too coarse for sandboxes with tokens of a few seconds. */
  expMs: number;
}

interface RefreshEntry {
  session: string;
  userIndex: number;
  expiresAt: number;
  valid: boolean;
  /** Replaced by a rotation: presenting it again is reuse. */
  spent: boolean;
}

export interface AuthConfig {
  users: SandboxUser[];
  accessTtlMs: number;
  refreshTtlMs: number;
  rotate: boolean;
  /** With `rotate`: presenting a spent refresh token ends its session (the whole family). */
  reuseDetection: boolean;
  /** Called when a spent refresh token is presented (with or without detection). */
  onReuse?(): void;
}

/** What `login` answers (the GraphQL `AuthPayload`). */
export interface LoginPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: number; username: string; name: string; email: string };
}

/** What `refreshToken` answers; `refreshToken` only when rotating. */
export interface RefreshPayload {
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
}

export type SandboxAuth = ReturnType<typeof createSandboxAuth>;

export function createSandboxAuth({ users, accessTtlMs, refreshTtlMs, rotate, reuseDetection, onReuse }: AuthConfig) {
  const secret = randomBytes(32).toString('hex');
  const sessions = new Map<string, { userIndex: number }>();
  const refreshTokens = new Map<string, RefreshEntry>();
  const expiresIn = Math.max(1, Math.floor(accessTtlMs / 1000));
  // Bumped by expireAccessTokens(): tokens of an older epoch no longer authenticate.
  let epoch = 0;

  function issueAccessToken(userIndex: number, sid: string): string {
    const now = Date.now();
    const claims: AccessClaims = {
      sub: String(userIndex + 1),
      username: users[userIndex]!.username,
      sid,
      epoch,
      iat: Math.floor(now / 1000),
      exp: Math.ceil((now + accessTtlMs) / 1000),
      expMs: now + accessTtlMs,
    };
    return signJwt({ ...claims, jti: randomUUID() }, secret);
  }

  function issueRefreshToken(userIndex: number, sid: string): string {
    const token = randomUUID();
    refreshTokens.set(token, { session: sid, userIndex, expiresAt: Date.now() + refreshTtlMs, valid: true, spent: false });
    return token;
  }

  return {
    /** A new session, or `undefined` for wrong credentials. */
    login(username: string, password: string): LoginPayload | undefined {
      const userIndex = users.findIndex((u) => u.username === username && u.password === password);
      if (userIndex === -1) return undefined;
      const sid = randomUUID();
      sessions.set(sid, { userIndex });
      const user = users[userIndex]!;
      return {
        accessToken: issueAccessToken(userIndex, sid),
        refreshToken: issueRefreshToken(userIndex, sid),
        expiresIn,
        user: {
          id: userIndex + 1,
          username: user.username,
          name: user.name ?? user.username,
          email: user.email ?? `${user.username}@school.example`,
        },
      };
    },

    /** A new access token (and refresh token when rotating), or `undefined` for a dead refresh token. */
    refresh(token: string): RefreshPayload | undefined {
      const entry = refreshTokens.get(token);
      if (entry?.spent) {
        onReuse?.();
        // Reuse detection (Auth0, Okta, Supabase): whoever presents a spent token may have stolen
        // it, so the family ends — the rotated refresh token and the session's access tokens too.
        if (reuseDetection) this.logout(entry.session);
        return undefined;
      }
      if (!entry?.valid || Date.now() >= entry.expiresAt || !sessions.has(entry.session)) return undefined;
      const payload: RefreshPayload = { accessToken: issueAccessToken(entry.userIndex, entry.session), expiresIn };
      if (rotate) {
        entry.valid = false;
        entry.spent = true;
        payload.refreshToken = issueRefreshToken(entry.userIndex, entry.session);
      }
      return payload;
    },

    /** Ends the session: its access and refresh tokens stop working. */
    logout(sid: string): void {
      sessions.delete(sid);
      for (const entry of refreshTokens.values()) if (entry.session === sid) entry.valid = false;
    },

    /** The user behind an `Authorization` header, if its token is well signed, current and of a live session. */
    authenticate(header: string | undefined): { userIndex?: number; claims?: AccessClaims } {
      if (!header?.startsWith('Bearer ')) return {};
      const claims = verifyJwt<AccessClaims>(header.slice(7), secret);
      if (!claims || claims.epoch !== epoch || Date.now() >= claims.expMs || !sessions.has(claims.sid)) return {};
      return { userIndex: Number(claims.sub) - 1, claims };
    },

    expireAccessTokens(): void {
      epoch++;
    },

    revokeRefreshTokens(): void {
      for (const entry of refreshTokens.values()) entry.valid = false;
    },
  };
}
