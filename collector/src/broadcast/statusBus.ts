/**
 * Instructor status changes (`status_update`) for the `/instructor/ws` clients of every collector:
 * an EventEmitter when embedded, Redis Pub/Sub (`instructor_status_notifications`) otherwise.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.ts';
import { INSTRUCTOR_STATUS_CHANNEL } from '../redis/streamNames.ts';

export interface StatusUpdate {
  type: 'status_update';
  instructor_id: number;
  status: string;
  current_session_id: string | null;
  status_updated_at: string | null;
}

export interface StatusBus {
  publish(update: StatusUpdate): Promise<void>;
  subscribe(listener: (update: StatusUpdate) => void): () => void;
  /** Called once when the collector shuts down (the /instructor/ws sockets close with 1001). */
  onClose(listener: () => void): () => void;
  close(): void;
}

export function createStatusBus(options: { redis?: Redis; subscriber?: Redis; log: Logger }): StatusBus {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  const { redis, subscriber, log } = options;
  if (redis && subscriber) {
    void subscriber.subscribe(INSTRUCTOR_STATUS_CHANNEL).catch((err: Error) => log.error({ err }, 'subscribe failed'));
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== INSTRUCTOR_STATUS_CHANNEL) return;
      try {
        bus.emit('update', JSON.parse(message) as StatusUpdate);
      } catch (err) {
        log.warn({ err }, 'ignored malformed status notification');
      }
    });
  }
  return {
    async publish(update) {
      if (redis) await redis.publish(INSTRUCTOR_STATUS_CHANNEL, JSON.stringify(update));
      else bus.emit('update', update);
    },
    subscribe(listener) {
      bus.on('update', listener);
      return () => bus.off('update', listener);
    },
    onClose(listener) {
      bus.on('closing', listener);
      return () => bus.off('closing', listener);
    },
    close() {
      bus.emit('closing');
      bus.removeAllListeners();
    },
  };
}
