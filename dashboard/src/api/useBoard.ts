/**
 * The board of one class (null: everyone seen today): its REST snapshot kept current by the
 * `/dashboard/ws` deltas (boardState.ts folds them), fetched again after every (re)connect so nothing
 * said while the socket was away is missed. `stale` counts the socket's `stale` messages: the views
 * that show progress and errors hand it to their snapshot. `version` re-reads everything (the roster
 * changed). Messages that arrive while a snapshot is read are applied to its answer (boardState.ts
 * createDeltaLog): the answer may be older than they are. When the class is lost (the instructor removed as its teacher, the class deleted) the
 * board empties, stops reconnecting and calls `onClassLost`.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { applyMessage, createDeltaLog, fromSnapshot, type BoardView } from '../boardState.ts';
import { client } from './client.ts';
import { openLiveSocket, type LiveSocketOptions } from './liveSocket.ts';
import { useSnapshot } from './useSnapshot.ts';

export interface BoardOptions {
  /** False until the class list is known (the socket waits for the class to be chosen). */
  ready: boolean;
  classId: number | null;
  version: number;
  onClassLost: LiveSocketOptions['onClassLost'];
}

export interface LiveBoard {
  board: BoardView | null;
  /** The socket is open (else the header says reconnecting and when the board last changed). */
  live: boolean;
  stale: number;
}

export function useBoard({ ready, classId, version, onClassLost }: BoardOptions): LiveBoard {
  const [live, setLive] = useState(false);
  const [stale, setStale] = useState(0);
  // A lost class closes its socket for good; the next board (usually another class) opens anew.
  const [losses, setLosses] = useState(0);
  const lost = useRef(onClassLost);
  lost.current = onClassLost;
  const deltas = useRef(createDeltaLog()).current;
  const snapshot = useSnapshot<BoardView>(ready ? `${classId}|${version}|${losses}` : null, () => {
    const read = deltas.begin();
    return client.board(classId).then(
      (s) => read.settle(fromSnapshot(s, Date.now()), Date.now()),
      (err: unknown) => {
        read.drop();
        throw err;
      },
    );
  });

  useEffect(() => {
    if (!ready) return;
    const socket = openLiveSocket({
      classId,
      onOpen: () => {
        setLive(true);
        void snapshot.reload();
      },
      onMessage: (message) => {
        if (message.type === 'stale') {
          setStale((n) => n + 1);
          return;
        }
        deltas.record(message);
        snapshot.update((view) => (view ? applyMessage(view, message, Date.now()) : view));
      },
      onDown: () => setLive(false),
      onClassLost: (reason) => {
        setLive(false);
        snapshot.update(() => null);
        setLosses((n) => n + 1);
        lost.current(reason);
      },
    });
    return () => socket.close();
  }, [ready, classId, version, losses]);

  return { board: snapshot.data, live, stale };
}
