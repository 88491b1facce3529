/**
 * The classroom seat map: the class's room image with a marker per team or student, coloured by the
 * live status from the board (SeatMarker.tsx). Choosing a student's marker opens that student; a
 * team's lists its members. In edit mode (SeatEditor.tsx, useSeatPlacement.ts) the instructor
 * uploads the image, places teams or students (pick one, then click on the image), drags markers,
 * removes them, undoes, and saves.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { StudentStatus } from '@cell-monitor/shared/dashboard';
import { SEAT_MAP_MAX_BYTES, type SeatMapView, type SeatPlacement } from '@cell-monitor/shared/roster';
import { byUrgency, teamGroups, type BoardView } from '../boardState.ts';
import { client } from '../api/client.ts';
import { messageOf } from '../api/apiError.ts';
import { useSnapshot } from '../api/useSnapshot.ts';
import { useT } from '../LanguageContext.tsx';
import { SeatEditorToolbar, SeatPalette } from './SeatEditor.tsx';
import { SeatMarker } from './SeatMarker.tsx';
import { useSeatPlacement, type SeatItem } from './useSeatPlacement.ts';

interface Props {
  classId: number | null;
  board: BoardView | null;
  onOpen: (userId: string) => void;
}

export function SeatMap({ classId, board, onOpen }: Props) {
  const t = useT();
  const seats = useSeatPlacement();
  const [editing, setEditing] = useState(false);
  const [openTeam, setOpenTeam] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const fail = (err: unknown) => setMessage(messageOf(err, t('error.generic')));
  const [imageUrl, showImage] = useImageUrl();
  const snapshot = useSnapshot<SeatMapView>(classId === null ? null : `seat-map:${classId}`, () => client.seatMap.get(classId!), {
    onLoad: (view) => {
      seats.reset(view.placements);
      showImage(view).catch(fail);
    },
  });
  const map = snapshot.data;
  useEffect(() => {
    setEditing(false);
    setMessage(null);
  }, [classId]);
  useEffect(() => {
    if (snapshot.error) setMessage(snapshot.error);
  }, [snapshot.error]);

  const cards = useMemo(() => [...(board?.cards.values() ?? [])].sort(byUrgency), [board]);
  const teams = useMemo(() => new Map(teamGroups(cards).filter((g) => g.team !== null).map((g) => [g.team!, g])), [cards]);
  const cardOf = useMemo(() => new Map(cards.map((c) => [c.userId, c])), [cards]);

  if (classId === null) return <section class="view"><p class="hint">{t('broadcast.pickClass')}</p></section>;
  if (!map) return <section class="view seatmap" aria-busy="true" />;

  const statusOf = (p: SeatPlacement): StudentStatus | null => (p.kind === 'team' ? teams.get(p.key)?.status ?? null : cardOf.get(p.key)?.status ?? null);
  const labelOf = (p: SeatItem) => (p.kind === 'team' ? p.key : cardOf.get(p.key)?.displayName ?? p.key);
  const upload = async (file: File) => {
    if (file.size > SEAT_MAP_MAX_BYTES) return setMessage(t('seat.tooLarge'));
    try {
      const view = await client.seatMap.uploadImage(classId, file);
      snapshot.update(() => view);
      await showImage(view);
      setMessage(null);
    } catch (err) {
      fail(err);
    }
  };
  const save = async () => {
    try {
      const view = await client.seatMap.savePlacements(classId, seats.placements);
      snapshot.update(() => view);
      seats.saved(view.placements);
      setMessage(t('seat.saved'));
    } catch (err) {
      fail(err);
    }
  };
  const unplaced: SeatItem[] = [
    ...[...teams.keys()].map((key) => ({ kind: 'team' as const, key })),
    ...cards.map((c) => ({ kind: 'student' as const, key: c.userId })),
  ].filter((item) => !seats.isPlaced(item));

  const aspect = map.image ? map.image.width / map.image.height : 16 / 9;
  return (
    <section class={`view seatmap${editing ? ' edit' : ''}`}>
      <div class="seat-toolbar">
        {editing ? (
          <SeatEditorToolbar seats={seats} labelOf={labelOf} onUpload={upload} onSave={save} onDone={() => (setEditing(false), seats.pick(null))} />
        ) : (
          <button type="button" onClick={() => setEditing(true)}>
            {t('seat.edit')}
          </button>
        )}
        {message && <span role="status">{message}</span>}
      </div>
      <div class="seat-layout">
        {map.image && imageUrl ? (
          <div class="seat-area" ref={seats.area} style={{ aspectRatio: `${map.image.width} / ${map.image.height}`, maxWidth: `calc((100vh - 150px) * ${aspect.toFixed(4)})` }} onClick={(e) => editing && seats.placeAt(e)}>
            <img src={imageUrl} alt={t('seat.image')} draggable={false} />
            {seats.placements.map((p) => (
              <SeatMarker
                key={`${p.kind}:${p.key}`}
                place={p}
                label={labelOf(p)}
                status={statusOf(p)}
                members={p.kind === 'team' ? teams.get(p.key)?.cards ?? [] : []}
                editing={editing}
                seats={seats}
                open={openTeam === p.key}
                onToggle={() => setOpenTeam(openTeam === p.key ? null : p.key)}
                onOpen={onOpen}
              />
            ))}
          </div>
        ) : (
          <p class="hint">{editing ? t('seat.noImageEdit') : t('seat.noImage')}</p>
        )}
        {editing && <SeatPalette seats={seats} unplaced={unplaced} labelOf={labelOf} />}
      </div>
    </section>
  );
}

/**
 * The room image as an object URL (its bytes need the token, so no plain `src`), fetched when a map
 * is read or an image uploaded — not when placements are saved — and revoked when replaced.
 */
function useImageUrl(): [string | null, (view: SeatMapView) => Promise<void>] {
  const [url, setUrl] = useState<string | null>(null);
  const asked = useRef(0);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  const show = async (view: SeatMapView) => {
    const id = ++asked.current;
    if (!view.image) return setUrl(null);
    const { blob } = await client.seatMap.image(view.classId);
    if (id === asked.current) setUrl(URL.createObjectURL(blob));
  };
  return [url, show];
}
