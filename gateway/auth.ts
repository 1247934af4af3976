import { createHash, timingSafeEqual } from 'node:crypto';
import type { Agency, AgencyDirectory } from '../domain/shared/agencies.js';
import type { PrincipalConfig, Role } from '../ports/principals.js';

/** Who is calling: a configured principal acting for one agency. */
export interface Principal {
  name: string;
  agency: Agency;
  roles: readonly Role[];
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Resolves `Authorization: Bearer <token>` to a principal. Tokens are compared as SHA-256 digests in
 * constant time, and every principal is compared on every call, so timing says nothing about which
 * token came close.
 */
export function createAuthenticator(principals: readonly PrincipalConfig[], agencies: AgencyDirectory) {
  const known = principals.map((p) => ({
    digest: p.tokenSha256 ? Buffer.from(p.tokenSha256, 'hex') : sha256(p.token ?? ''),
    principal: { name: p.name, agency: agencies.get(p.agencyId)!, roles: p.roles } satisfies Principal,
  }));
  return function authenticate(authorization: string | undefined): Principal | null {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return null;
    const presented = sha256(match[1]!);
    let found: Principal | null = null;
    for (const k of known) if (timingSafeEqual(k.digest, presented)) found = k.principal;
    return found;
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;

export const hasRole = (principal: Principal, ...roles: Role[]): boolean => roles.some((r) => principal.roles.includes(r));
