import { openRedisReadModelStore } from './infra/readModels/redisReadModelStore.js';
const t = performance.now();
try { await openRedisReadModelStore({ url: 'redis://user:secret@127.0.0.1:6390/2', keyPrefix: 'x:' }); } catch (e) { console.log(String(e), (e as Error).cause, performance.now() - t); }
