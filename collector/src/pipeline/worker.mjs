// Entry of the pipeline thread. The TypeScript sources run through tsx's loader, registered here
// because a worker does not inherit a loader registered with register() in the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./pipelineThread.ts');
