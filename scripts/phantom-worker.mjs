// Worker entry for scripts/phantom.ts: registers tsx in this thread, then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./phantom-worker.ts');
