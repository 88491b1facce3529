export * from './cellEvent.ts';
export * from './eventTypes.ts';
export * from './normaliseEvent.ts';
export * from './fastCheck.ts';
export * from './ingestResponse.ts';
export * from './liveEvent.ts';
export * from './depth.ts';
