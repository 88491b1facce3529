/**
 * One live channel: publish / subscribe of JSON messages, through Redis Pub/Sub when the collector
 * has Redis (every collector hears every message once), through an EventEmitter when embedded.
 * Live messages are at-most-once: a message published while Redis is away is lost (logged).
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.ts';

export interface Channel<T> {
  readonly name: string;
  publish(message: T): Promise<void>;
  subscribe(listener: (message: T) => void): () => void;
  close(): void;
}

export function createChannel<T>(name: string, options: { redis?: Redis; subscriber?: Redis; log: Logger }): Channel<T> {
  const { redis, subscriber, log } = options;
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  const onMessage = (channel: string, text: string) => {
    if (channel !== name) return;
    let message: T;
    try {
      message = JSON.parse(text) as T;
    } catch {
      log.warn({ channel: name, bytes: text.length }, 'ignored a malformed live message');
      return;
    }
    bus.emit('message', message);
  };
  if (redis && subscriber) {
    void subscriber.subscribe(name).catch((err: Error) => log.error({ err, channel: name }, 'subscribe failed'));
    subscriber.on('message', onMessage);
  }
  return {
    name,
    async publish(message) {
      if (redis && subscriber) await redis.publish(name, JSON.stringify(message));
      else bus.emit('message', message);
    },
    subscribe(listener) {
      bus.on('message', listener);
      return () => bus.off('message', listener);
    },
    close() {
      subscriber?.off('message', onMessage);
      bus.removeAllListeners();
    },
  };
}
