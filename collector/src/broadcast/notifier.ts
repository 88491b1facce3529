import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { toLiveEvent, type CellEvent, type LiveEvent } from '@cell-monitor/shared';
import type { Logger } from '../core/logger.ts';
import { NOTIFY_CHANNEL } from '../redis/streamNames.ts';

/** Live fan-out of persisted events to every collector's WebSocket clients. */
export interface Notifier {
  publish(events: CellEvent[]): Promise<void>;
  subscribe(listener: (events: LiveEvent[]) => void): () => void;
  close(): Promise<void>;
}

/** Embedded mode: one process, so an EventEmitter is the whole bus. */
export function createLocalNotifier(): Notifier & { deliver(events: LiveEvent[]): void } {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  return {
    async publish(events) {
      bus.emit('events', events.map(toLiveEvent));
    },
    /** Events the pipeline thread persisted, already reduced to their live form. */
    deliver(events) {
      bus.emit('events', events);
    },
    subscribe(listener) {
      bus.on('events', listener);
      return () => bus.off('events', listener);
    },
    async close() {
      bus.removeAllListeners();
    },
  };
}

/** Redis Pub/Sub on `student_progress_notifications`: every collector hears each persisted batch once. */
export function createRedisNotifier(options: { redis: Redis; subscriber: Redis; log: Logger }): Notifier {
  const { redis, subscriber, log } = options;
  const bus = new EventEmitter();
  void subscriber.subscribe(NOTIFY_CHANNEL).catch((err: Error) => log.error({ err }, 'subscribe failed'));
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== NOTIFY_CHANNEL) return;
    try {
      bus.emit('events', JSON.parse(message) as LiveEvent[]);
    } catch (err) {
      log.warn({ err, bytes: message.length }, 'ignored malformed notification');
    }
  });
  return {
    async publish(events) {
      await redis.publish(NOTIFY_CHANNEL, JSON.stringify(events.map(toLiveEvent)));
    },
    subscribe(listener) {
      bus.on('events', listener);
      return () => bus.off('events', listener);
    },
    async close() {
      bus.removeAllListeners();
    },
  };
}

/** The pipeline thread's side of Redis Pub/Sub: publishes only; each main thread subscribes. */
export function createRedisPublisher(redis: Redis): Notifier {
  return {
    async publish(events) {
      await redis.publish(NOTIFY_CHANNEL, JSON.stringify(events.map(toLiveEvent)));
    },
    subscribe() {
      throw new Error('the pipeline thread does not subscribe');
    },
    async close() {},
  };
}
