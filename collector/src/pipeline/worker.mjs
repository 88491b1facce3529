// Entry of the pipeline thread when the collector runs from its TypeScript sources: tsx's loader,
// registered here because a worker does not inherit a loader registered with register() in the
// main thread. The compiled collector opens dist/worker.mjs instead (scripts/build.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./pipelineThread.ts');
