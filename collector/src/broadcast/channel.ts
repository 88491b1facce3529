/**
 * One typed live channel over a PubSub (pubSub.ts): `publish` a message, `subscribe` to every
 * message published on this channel by any collector. Messages travel as JSON; one that does not
 * parse is logged (by size, never by content) and skipped.
 */
import type { Logger } from '../core/logger.ts';
import type { PubSub } from './pubSub.ts';

export interface Channel<T> {
  readonly name: string;
  publish(message: T): Promise<void>;
  subscribe(listener: (message: T) => void): () => void;
}

export function createChannel<T>(name: string, pubsub: PubSub, log: Logger): Channel<T> {
  return {
    name,
    publish: (message) => pubsub.publish(name, JSON.stringify(message)),
    subscribe(listener) {
      return pubsub.subscribe(name, (text) => {
        let message: T;
        try {
          message = JSON.parse(text) as T;
        } catch {
          log.warn({ channel: name, bytes: text.length }, 'ignored a malformed live message');
          return;
        }
        listener(message);
      });
    },
  };
}
