/**
 * The classroom seat map: the class's room image with a marker per team or student, coloured by the
 * live status from the board (help and stuck are larger and outlined, with their word and icon).
 * Choosing a student's marker opens that student; a team's lists its members. In edit mode the
 * instructor uploads the image, places teams or students (pick one, then click on the image), drags
 * markers, removes them, undoes, and saves.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { BoardCard, StudentStatus } from '@cell-monitor/shared/dashboard';
import { SEAT_MAP_MAX_BYTES, type SeatMapView, type SeatPlacement } from '@cell-monitor/shared/roster';
import { api, ApiError, apiBlob, apiUpload } from './api.ts';
import { byUrgency, STATUS_LOOK, teamGroups, type BoardView } from './boardState.ts';
import { statusWord, type Translate } from './i18n.ts';

interface Props {
  t: Translate;
  classId: number | null;
  board: BoardView | null;
  onOpen: (userId: string) => void;
}

type Item = Pick<SeatPlacement, 'kind' | 'key'>;
const same = (a: Item, b: Item) => a.kind === b.kind && a.key === b.key;
const clamp = (v: number) => Math.min(1, Math.max(0, v));

export function SeatMap({ t, classId, board, onOpen }: Props) {
  const [map, setMap] = useState<SeatMapView | null>(null);
  const [imageUrl, setImageUrl] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [placements, setPlacements] = useState<SeatPlacement[]>([]);
  const [undo, setUndo] = useState<SeatPlacement[][]>([]);
  const [picked, setPicked] = useState<Item | null>(null);
  const [openTeam, setOpenTeam] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const area = useRef<HTMLDivElement>(null);
  const drag = useRef<{ item: Item; before: SeatPlacement[]; moved: boolean } | null>(null);
  const fail = (err: unknown) => setMessage(err instanceof ApiError ? err.message : t('error.generic'));

  async function loadImage(view: SeatMapView) {
    if (!view.image) return setImageUrl(null);
    const { blob } = await apiBlob(`/api/v1/classes/${view.classId}/seat-map/image`);
    setImageUrl((old) => {
      if (old) URL.revokeObjectURL(old);
      return URL.createObjectURL(blob);
    });
  }

  useEffect(() => {
    setMap(null);
    setEditing(false);
    setMessage(null);
    if (classId === null) return;
    api<SeatMapView>('GET', `/api/v1/classes/${classId}/seat-map`).then((view) => {
      setMap(view);
      setPlacements(view.placements);
      setUndo([]);
      setDirty(false);
      return loadImage(view);
    }).catch(fail);
  }, [classId]);
  useEffect(() => () => void (imageUrl && URL.revokeObjectURL(imageUrl)), [imageUrl]);

  const cards = useMemo(() => [...(board?.cards.values() ?? [])].sort(byUrgency), [board]);
  const teams = useMemo(() => new Map(teamGroups(cards).filter((g) => g.team !== null).map((g) => [g.team!, g])), [cards]);
  const cardOf = useMemo(() => new Map(cards.map((c) => [c.userId, c])), [cards]);

  if (classId === null) return <section class="view"><p class="hint">{t('broadcast.pickClass')}</p></section>;
  if (!map) return <section class="view seatmap" aria-busy="true" />;

  const change = (next: SeatPlacement[]) => {
    setUndo((stack) => [...stack.slice(-49), placements]);
    setPlacements(next);
    setDirty(true);
  };
  const statusOf = (p: SeatPlacement): StudentStatus | null => (p.kind === 'team' ? teams.get(p.key)?.status ?? null : cardOf.get(p.key)?.status ?? null);
  const labelOf = (p: Item) => (p.kind === 'team' ? p.key : cardOf.get(p.key)?.displayName ?? p.key);
  const fraction = (event: { clientX: number; clientY: number }) => {
    const box = area.current!.getBoundingClientRect();
    return { x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) };
  };

  const upload = async (file: File) => {
    if (file.size > SEAT_MAP_MAX_BYTES) return setMessage(t('seat.tooLarge'));
    try {
      const view = await apiUpload<SeatMapView>('PUT', `/api/v1/classes/${classId}/seat-map/image`, file);
      setMap(view);
      await loadImage(view);
      setMessage(null);
    } catch (err) {
      fail(err);
    }
  };
  const save = async () => {
    try {
      const view = await api<SeatMapView>('PUT', `/api/v1/classes/${classId}/seat-map/placements`, { placements });
      setMap(view);
      setPlacements(view.placements);
      setDirty(false);
      setMessage(t('seat.saved'));
    } catch (err) {
      fail(err);
    }
  };

  const unplaced: Item[] = [
    ...[...teams.keys()].map((key) => ({ kind: 'team' as const, key })),
    ...cards.map((c) => ({ kind: 'student' as const, key: c.userId })),
  ].filter((item) => !placements.some((p) => same(p, item)));

  const onAreaClick = (event: MouseEvent) => {
    if (!editing || !picked) return;
    const { x, y } = fraction(event);
    change([...placements, { ...picked, x, y }]);
    setPicked(null);
  };

  // A function, not a component: the marker's element must survive re-renders while it is dragged.
  const marker = (p: SeatPlacement) => {
    const status = statusOf(p);
    const look = status ? STATUS_LOOK[status] : null;
    const urgent = status === 'help' || status === 'stuck';
    return (
      <div
        key={`${p.kind}:${p.key}`}
        class={`seat seat-${p.kind}${status ? ` seat-${status}` : ' seat-unknown'}${urgent ? ' urgent' : ''}${editing ? ' editing' : ''}`}
        style={{ left: `${p.x * 100}%`, top: `${p.y * 100}%`, '--status': look?.colour ?? '#c8c8c8' }}
        data-seat={`${p.kind}:${p.key}`}
        data-status={status ?? ''}
        onPointerDown={(e) => {
          if (!editing || (e.target as HTMLElement).closest('.seat-remove')) return;
          e.preventDefault();
          (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
          drag.current = { item: p, before: placements, moved: false };
        }}
        onPointerMove={(e) => {
          if (!editing || !drag.current || !same(drag.current.item, p)) return;
          const { x, y } = fraction(e);
          drag.current.moved = true;
          setPlacements((list) => list.map((q) => (same(q, p) ? { ...q, x, y } : q)));
        }}
        onPointerUp={() => {
          const done = drag.current;
          drag.current = null;
          if (!done?.moved) return;
          setUndo((stack) => [...stack.slice(-49), done.before]);
          setDirty(true);
        }}
      >
        <button
          type="button"
          class="seat-button"
          onClick={(e) => {
            e.stopPropagation();
            if (editing) return;
            if (p.kind === 'student') onOpen(p.key);
            else setOpenTeam(openTeam === p.key ? null : p.key);
          }}
          onKeyDown={(e) => {
            if (!editing) return;
            const step = e.shiftKey ? 0.05 : 0.01;
            const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
            if (!move) return;
            e.preventDefault();
            change(placements.map((q) => (same(q, p) ? { ...q, x: clamp(q.x + move[0]), y: clamp(q.y + move[1]) } : q)));
          }}
        >
          <span class="seat-label">{labelOf(p)}</span>
          {status && (
            <span class="seat-status">
              <span aria-hidden="true">{look!.icon}</span> {statusWord(t, status)}
            </span>
          )}
        </button>
        {editing && (
          <button type="button" class="seat-remove" aria-label={`${t('seat.remove')} ${labelOf(p)}`} onClick={(e) => (e.stopPropagation(), change(placements.filter((q) => !same(q, p))))}>
            ×
          </button>
        )}
        {!editing && openTeam === p.key && p.kind === 'team' && (
          <ul class="seat-members">
            {(teams.get(p.key)?.cards ?? []).map((c: BoardCard) => (
              <li key={c.userId}>
                <button type="button" class="linkish" onClick={() => onOpen(c.userId)}>
                  {c.displayName}
                </button>{' '}
                <span class="badge" style={{ '--status': STATUS_LOOK[c.status].colour }}>
                  <span aria-hidden="true">{STATUS_LOOK[c.status].icon}</span> {statusWord(t, c.status)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  };

  const aspect = map.image ? map.image.width / map.image.height : 16 / 9;
  return (
    <section class={`view seatmap${editing ? ' edit' : ''}`}>
      <div class="seat-toolbar">
        {editing ? (
          <>
            <label class="upload">
              {t('seat.upload')} <input type="file" accept="image/png,image/jpeg" onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) upload(f); }} />
            </label>
            <button type="button" disabled={undo.length === 0} onClick={() => (setPlacements(undo[undo.length - 1]), setUndo(undo.slice(0, -1)), setDirty(true))}>
              ↶ {t('seat.undo')}
            </button>
            <button type="button" class="primary" disabled={!dirty} onClick={save}>
              {t('settings.save')}
            </button>
            <button type="button" onClick={() => (setEditing(false), setPicked(null))}>
              {t('seat.done')}
            </button>
            <span class="hint small">{picked ? t('seat.placeHint', { name: labelOf(picked) }) : t('seat.editHint')}</span>
          </>
        ) : (
          <button type="button" onClick={() => setEditing(true)}>
            {t('seat.edit')}
          </button>
        )}
        {message && <span role="status">{message}</span>}
      </div>
      <div class="seat-layout">
        {map.image && imageUrl ? (
          <div class="seat-area" ref={area} style={{ aspectRatio: `${map.image.width} / ${map.image.height}`, maxWidth: `calc((100vh - 150px) * ${aspect.toFixed(4)})` }} onClick={onAreaClick}>
            <img src={imageUrl} alt={t('seat.image')} draggable={false} />
            {placements.map(marker)}
          </div>
        ) : (
          <p class="hint">{editing ? t('seat.noImageEdit') : t('seat.noImage')}</p>
        )}
        {editing && (
          <aside class="seat-palette">
            <h3>{t('seat.unplaced', { n: unplaced.length })}</h3>
            <ul>
              {unplaced.map((item) => (
                <li key={`${item.kind}:${item.key}`}>
                  <button type="button" class={picked && same(picked, item) ? 'on' : ''} data-place={`${item.kind}:${item.key}`} onClick={() => setPicked(picked && same(picked, item) ? null : item)}>
                    {item.kind === 'team' ? '👥 ' : ''}
                    {labelOf(item)}
                  </button>
                </li>
              ))}
            </ul>
          </aside>
        )}
      </div>
    </section>
  );
}
