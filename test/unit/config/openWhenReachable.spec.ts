/**
 * Distributed processes wait for a server that is still coming up instead of exiting on the first refusal
 * (infra/main/distributedStores.ts `openWhenReachable`).
 */
import { expect } from 'chai';
import { openWhenReachable } from '../../../infra/main/distributedStores.js';

const refusing = (failures: number) => {
  let calls = 0;
  return {
    calls: () => calls,
    open: async () => {
      calls += 1;
      if (calls <= failures) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return 'connected';
    },
  };
};

describe('openWhenReachable', () => {
  it('keeps trying while the server refuses, and says so once', async () => {
    const server = refusing(2);
    const said: string[] = [];
    expect(await openWhenReachable('Redis 127.0.0.1:6379', server.open, { waitMs: 10_000, say: (line) => said.push(line) })).to.equal('connected');
    expect(server.calls()).to.equal(3);
    expect(said).to.deep.equal(['Redis 127.0.0.1:6379 暂时无法连接（connect ECONNREFUSED 127.0.0.1:6379），10 秒内继续重试 …']);
  });

  it('gives up with the last error once the wait is over', async () => {
    const server = refusing(Number.MAX_SAFE_INTEGER);
    const error = await openWhenReachable('Redis', server.open, { waitMs: 300, say: () => undefined }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal('connect ECONNREFUSED 127.0.0.1:6379');
    expect(server.calls()).to.be.at.least(2);
  });

  it('does not wait at all with a wait of 0', async () => {
    const server = refusing(1);
    const error = await openWhenReachable('Redis', server.open, { waitMs: 0, say: () => undefined }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).to.not.equal(null);
    expect(server.calls()).to.equal(1);
  });
});
