import { GraphQLError } from 'graphql';
import type { AgencyDirectory } from '../domain/shared/agencies.js';
import type { Role } from '../infra/config/schema.js';
import type { RejectionStore } from '../infra/rejections/rejectionStore.js';
import { hasRole, type Principal } from './auth.js';

/** What resolvers may use. Filled by the composition root of the process that serves GraphQL. */
export interface GatewayServices {
  agencies: AgencyDirectory;
  rejections: RejectionStore;
  now(): Date;
}

export interface GatewayContext {
  principal: Principal;
  services: GatewayServices;
}

export const forbidden = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
export const badInput = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/** The role check every resolver starts with. */
export function requireRole(ctx: GatewayContext, ...roles: Role[]): void {
  if (!hasRole(ctx.principal, ...roles)) {
    throw forbidden(`需要 ${roles.join(' 或 ')} 角色（当前：${ctx.principal.roles.join('、')}）`);
  }
}

export const READ_ROLES: Role[] = ['viewer', 'organizer', 'auditor'];

/** organizers and auditors see every agency; a viewer only its own */
export const seesAll = (ctx: GatewayContext): boolean => hasRole(ctx.principal, 'organizer', 'auditor');
