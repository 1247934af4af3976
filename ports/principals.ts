/** Who may call the platform: the roles a configured principal holds (operations.md "Config file"). */
export const ROLES = ['publisher', 'viewer', 'organizer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** a configured principal as the gateway's authenticator reads it (infra/config/schema.ts validates the file) */
export interface PrincipalConfig {
  name: string;
  agencyId: string;
  roles: Role[];
  token?: string | undefined;
  /** hex SHA-256 of the token, instead of the token */
  tokenSha256?: string | undefined;
}
