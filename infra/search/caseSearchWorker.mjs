// The case search index's writer thread entry under tsx (caseSearchWriterThread.ts): a worker does not inherit the tsx
// loader of the thread that started it, so it registers tsx before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./caseSearchWorker.ts');
