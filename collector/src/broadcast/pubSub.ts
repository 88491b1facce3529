/**
 * The transport under every live channel (channel.ts): Redis Pub/Sub when the collector has Redis
 * — every collector hears each message once — or an in-process bus when it runs embedded. It moves
 * text; channels add JSON and types. Live messages are at-most-once: what is published while Redis
 * is away is lost (the data itself is in the database).
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.ts';

export interface PubSub {
  publish(channel: string, text: string): Promise<void>;
  subscribe(channel: string, listener: (text: string) => void): () => void;
  close(): void;
}

/** One process: an EventEmitter per channel name. */
export function createLocalPubSub(): PubSub {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  return {
    async publish(channel, text) {
      bus.emit(channel, text);
    },
    subscribe(channel, listener) {
      bus.on(channel, listener);
      return () => bus.off(channel, listener);
    },
    close() {
      bus.removeAllListeners();
    },
  };
}

export interface RedisPubSubOptions {
  /** The connection that publishes (any command connection). */
  publisher: Redis;
  /** A connection in subscriber mode; without one the pub/sub only publishes (the pipeline thread). */
  subscriber?: Redis;
  log: Logger;
}

/** Redis Pub/Sub: one SUBSCRIBE per channel name, however many listeners it has in this process. */
export function createRedisPubSub(options: RedisPubSubOptions): PubSub {
  const { publisher, subscriber, log } = options;
  const local = createLocalPubSub();
  const subscribed = new Set<string>();
  const onMessage = (channel: string, text: string) => void local.publish(channel, text);
  subscriber?.on('message', onMessage);
  return {
    async publish(channel, text) {
      await publisher.publish(channel, text);
    },
    subscribe(channel, listener) {
      if (!subscriber) throw new Error(`this pub/sub only publishes; cannot subscribe to ${channel}`);
      if (!subscribed.has(channel)) {
        subscribed.add(channel);
        const send = () => void subscriber.subscribe(channel).catch((err: Error) => log.error({ err, channel }, 'subscribe failed'));
        // Between the TCP connect and its ready check ioredis writes a SUBSCRIBE at once (it may run
        // while Redis loads), and the ready check then fails on a connection in subscriber mode,
        // losing every subscription: one asked for in that window waits for `ready`.
        if (subscriber.status === 'connect') subscriber.once('ready', send);
        else send();
      }
      return local.subscribe(channel, listener);
    },
    close() {
      subscriber?.off('message', onMessage);
      local.close();
    },
  };
}

/**
 * Publishes through a function and never subscribes: the embedded pipeline thread hands what it
 * publishes to the main thread (a worker message), whose local pub/sub delivers it.
 */
export function createRelayPubSub(relay: (channel: string, text: string) => void): PubSub {
  return {
    async publish(channel, text) {
      relay(channel, text);
    },
    subscribe(channel) {
      throw new Error(`the pipeline thread only publishes; cannot subscribe to ${channel}`);
    },
    close() {},
  };
}
