/**
 * The seat map's editing controls: the toolbar (upload the room image, undo, save, done, and what to
 * do next) and the palette of teams and students not placed yet — pick one, then click on the image.
 */
import { useT } from '../LanguageContext.tsx';
import { sameItem, type SeatItem, type SeatPlacementState } from './useSeatPlacement.ts';

interface ToolbarProps {
  seats: SeatPlacementState;
  labelOf: (item: SeatItem) => string;
  onUpload: (file: File) => void;
  onSave: () => void;
  onDone: () => void;
}

export function SeatEditorToolbar({ seats, labelOf, onUpload, onSave, onDone }: ToolbarProps) {
  const t = useT();
  return (
    <>
      <label class="upload">
        {t('seat.upload')} <input type="file" accept="image/png,image/jpeg" onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) onUpload(f); }} />
      </label>
      <button type="button" disabled={!seats.canUndo} onClick={seats.undo}>
        ↶ {t('seat.undo')}
      </button>
      <button type="button" class="primary" disabled={!seats.dirty} onClick={onSave}>
        {t('settings.save')}
      </button>
      <button type="button" onClick={onDone}>
        {t('seat.done')}
      </button>
      <span class="hint small">{seats.picked ? t('seat.placeHint', { name: labelOf(seats.picked) }) : t('seat.editHint')}</span>
    </>
  );
}

export function SeatPalette({ seats, unplaced, labelOf }: { seats: SeatPlacementState; unplaced: SeatItem[]; labelOf: (item: SeatItem) => string }) {
  const t = useT();
  const { picked } = seats;
  return (
    <aside class="seat-palette">
      <h3>{t('seat.unplaced', { n: unplaced.length })}</h3>
      <ul>
        {unplaced.map((item) => (
          <li key={`${item.kind}:${item.key}`}>
            <button type="button" class={picked && sameItem(picked, item) ? 'on' : ''} data-place={`${item.kind}:${item.key}`} onClick={() => seats.pick(picked && sameItem(picked, item) ? null : item)}>
              {item.kind === 'team' ? '👥 ' : ''}
              {labelOf(item)}
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
