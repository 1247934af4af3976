import { GraphQLError } from 'graphql';
import type { CommandRequest } from '../../application/commandHandler.js';
import type { Actor } from '../../application/requests.js';
import { badInput, type GatewayContext } from '../context.js';

/** the caller as the actor of a command */
export const actorOf = (ctx: GatewayContext): Actor => ({ agency: ctx.principal.agency, principal: ctx.principal.name });

/** Runs a command for a mutation; a rule the domain refuses becomes BAD_USER_INPUT with its Chinese message. */
export async function runCommand<S>(ctx: GatewayContext, request: CommandRequest): Promise<S> {
  try {
    const { state } = await ctx.services.commands.execute(request);
    return state as S;
  } catch (e) {
    if (e instanceof GraphQLError) throw e;
    if ((e as { name?: string }).name === 'DomainError') throw badInput((e as Error).message);
    throw e;
  }
}
