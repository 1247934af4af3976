// The read models' writer thread entry under tsx (embeddedReadModelStore.ts): a worker does not inherit the tsx loader
// of the thread that started it, so it registers tsx before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./readModelWriterWorker.ts');
