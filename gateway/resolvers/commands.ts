import { GraphQLError } from 'graphql';
import { badInput, type CommandRequest, type GatewayContext } from '../context.js';

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
