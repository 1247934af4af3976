import { GraphQLError } from 'graphql';
import { requireRole, type GatewayContext } from '../context.js';
import { paginate } from './pagination.js';
import type { RecordedEvent } from '../../infra/eventStore/eventStore.js';
import { createHash } from 'node:crypto';

/**
 * history(stream): every stored event of a stream for auditors, in revision order. Until the stored hash
 * chain of the audit issue lands, `hash` is computed here over the stored event and the previous hash, so
 * the field is already a real chain an auditor can recompute; it is not yet signed or checkpointed.
 */
export const historyResolvers = {
  Query: {
    async history(_: unknown, args: { stream: string; first?: number | null; after?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, 'auditor');
      const events = await ctx.services.events.readStream(args.stream);
      let prevHash: string | null = null;
      const nodes = events.map((e) => {
        const hash = chainHash(e, prevHash);
        const node = { e, hash, prevHash };
        prevHash = hash;
        return node;
      });
      return paginate(nodes, (n) => String(n.e.revision).padStart(12, '0'), args.first, args.after);
    },
    auditVerify(_: unknown, __: unknown, ctx: GatewayContext) {
      requireRole(ctx, 'auditor');
      throw new GraphQLError('存储哈希链与签名检查点尚未启用（审计功能的议题完成后提供 auditVerify）', { extensions: { code: 'NOT_IMPLEMENTED' } });
    },
  },
  StoredEvent: {
    position: (n: { e: RecordedEvent }) => n.e.position.toString(),
    streamId: (n: { e: RecordedEvent }) => n.e.streamId,
    revision: (n: { e: RecordedEvent }) => n.e.revision,
    type: (n: { e: RecordedEvent }) => n.e.type,
    time: (n: { e: RecordedEvent }) => n.e.metadata.time,
    recordedAt: (n: { e: RecordedEvent }) => n.e.recordedAt,
    source: (n: { e: RecordedEvent }) => n.e.metadata.source,
    principal: (n: { e: RecordedEvent }) => n.e.metadata.principal,
    channel: (n: { e: RecordedEvent }) => n.e.metadata.channel,
    data: (n: { e: RecordedEvent }) => n.e.data,
    metadata: (n: { e: RecordedEvent }) => n.e.metadata,
  },
};

const chainHash = (e: RecordedEvent, prevHash: string | null): string =>
  createHash('sha256')
    .update(JSON.stringify([e.streamId, e.revision, e.type, e.metadata.time, e.data, e.metadata, prevHash]))
    .digest('hex');
