// The auditVerify worker thread's entry (backgroundVerifier.ts). A worker does not inherit the tsx loader of
// the thread that started it (bin/liandong.mjs registers it there; on Node 20 module hooks are per thread),
// so it registers tsx itself before loading the TypeScript. Registering again where tsx is already there
// (mocha's `--import tsx`, inherited through execArgv) is harmless.
import { register } from 'tsx/esm/api';

register();
await import('./verifyWorker.ts');
