/**
 * The embedded mode's coordination: one collector, so the live channels are an in-process bus
 * (the pipeline thread's messages are relayed into it), every lock is its own, rate limits count
 * in memory, and there are no streams (the buffer is the stream) and nothing more to be ready.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createLiveChannels } from '../broadcast/liveChannels.ts';
import { createLocalPubSub } from '../broadcast/pubSub.ts';
import type { Logger } from '../core/logger.ts';
import { KEY_PREFIX, type Coordination, type StreamAdmin } from './capabilities.ts';

const NO_STREAMS: StreamAdmin = {
  hasUser: async () => false,
  async *exportUser() {},
  eraseUser: async () => ({}),
  sweepBefore: async () => ({}),
  deadLetters: async () => [],
  retryDeadLetter: async () => false,
  clearDeadLetters: async () => 0,
  gauges: [],
};

export function createEmbeddedCoordination(log: Logger): Coordination {
  const pubsub = createLocalPubSub();
  return {
    mode: 'embedded',
    channels: createLiveChannels(pubsub, log.child({ module: 'live' })),
    lock: () => ({ take: async () => true }),
    limiter: (name, limits) => new RateLimiterMemory({ ...limits, keyPrefix: KEY_PREFIX + name }),
    streams: NO_STREAMS,
    readiness: {},
    relay: (channel, text) => void pubsub.publish(channel, text),
    close: () => pubsub.close(),
  };
}
