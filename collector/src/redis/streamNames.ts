/** Redis Stream key names shared by every collector of one deployment (live channel names: broadcast/liveChannels.ts). */
export const STREAM_KEY = 'cell-monitor:events';
export const DEAD_LETTER_STREAM_KEY = 'cell-monitor:events:dead';
export const CONSUMER_GROUP = 'persisters';
