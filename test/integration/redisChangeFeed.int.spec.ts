/**
 * The Redis change feed against a real server (REDIS_URL, default 127.0.0.1:6379): the shared contract suite with
 * the publisher and the follower on their own connections, as the projector and a gateway are, and deployments under
 * different key prefixes never hearing each other.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { ReadModelChange } from '../../ports/changeFeed.js';
import { openRedisChangeFeed } from '../../infra/readModels/redisChangeFeed.js';
import { changeFeedContract } from '../contract/changeFeed.contract.js';
import { probeRedis, redisUrl, requireEngine } from './engines.js';

const freshPrefix = (): string => `liandong:test:${randomBytes(6).toString('hex')}:`;
const open = (keyPrefix: string, role: string) => openRedisChangeFeed({ url: redisUrl(), keyPrefix, connectionName: `liandong-test-${role}` });

describe('Redis change feed (real server)', function () {
  before(requireEngine('redis', probeRedis));

  changeFeedContract(async () => {
    const prefix = freshPrefix();
    return { publisher: open(prefix, 'projector'), follower: open(prefix, 'gateway') };
  });

  it('deployments under different key prefixes do not hear each other', async () => {
    const [a, b] = [freshPrefix(), freshPrefix()];
    const publisherA = open(a, 'projector-a');
    const followerA = open(a, 'gateway-a');
    const followerB = open(b, 'gateway-b');
    const heardA: ReadModelChange[] = [];
    const heardB: ReadModelChange[] = [];
    let resolveA!: () => void;
    const gotA = new Promise<void>((resolve) => (resolveA = resolve));
    followerA.subscribe((change) => {
      heardA.push(change);
      resolveA();
    });
    followerB.subscribe((change) => heardB.push(change));
    await Promise.all([followerA.listening(), followerB.listening()]);
    await publisherA.publish({ collection: 'cases', ids: ['C1'] });
    await gotA;
    // B subscribed before A's publish: Redis delivers to both subscriptions together, so B would have it by now;
    // a change published under B afterwards reaching B proves B's connection delivers in order
    const publisherB = open(b, 'projector-b');
    let resolveB!: () => void;
    const gotB = new Promise<void>((resolve) => (resolveB = resolve));
    followerB.subscribe(() => resolveB());
    await publisherB.publish({ collection: 'cases', ids: ['B1'] });
    await gotB;
    expect(heardA).to.deep.equal([{ collection: 'cases', ids: ['C1'] }]);
    expect(heardB).to.deep.equal([{ collection: 'cases', ids: ['B1'] }]);
    for (const feed of [publisherA, followerA, followerB, publisherB]) await feed.close();
  });
});
