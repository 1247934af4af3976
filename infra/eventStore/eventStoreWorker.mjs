// The event store's writer thread entry under tsx (sqliteEventStore.ts): a worker does not inherit the tsx loader of
// the thread that started it, so it registers tsx before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./eventStoreWorker.ts');
