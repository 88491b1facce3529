// Transitional: the instructor status channel now lives in liveChannels.ts (removed once the route split lands).
import type { Channel } from './channel.ts';
import type { StatusUpdate } from './liveChannels.ts';

export type { StatusUpdate };
export type StatusBus = Channel<StatusUpdate>;
