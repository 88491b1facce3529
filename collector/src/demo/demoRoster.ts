/**
 * Who is in the demo class (`cell-monitor-collector demo`): 30 simulated students with their Jupyter
 * user names (all `demo-…`, so no real student's name is ever touched by the demo's removal) and the
 * names the class knows them by, and the part each plays (demoClass.ts reads it).
 */

export const DEMO_CLASS = { name: 'Demo class — Data Science 101', class_code: 'DEMO', description: 'Simulated students (cell-monitor demo). Remove with: npm run demo -- --remove' } as const;

export const DEMO_NOTEBOOK = 'lab2-weather.ipynb';

/**
 * The part a student plays: `steady` works through the notebook making the usual mistakes; `stuck`
 * fails on one cell again and again; `asks` asks for help early and waits; `catching_up` was offline
 * and her queued events arrive minutes late; `idle` opened the notebook and does nothing; `leaves`
 * works a while and closes her session; `absent` is enrolled and never comes.
 */
export type DemoPart = 'steady' | 'stuck' | 'asks' | 'catching_up' | 'idle' | 'leaves' | 'absent';

export interface DemoStudent {
  userId: string;
  name: string;
  part: DemoPart;
}

const NAMES = [
  'Aiko Tanaka', 'Ben Okafor', 'Chloé Martin', 'Daniel Kim', '佐藤 花子', 'Eva Novak', 'Farid Haddad', 'Grace Liu', 'Hugo Silva', 'Ines Ruiz',
  'Jonas Weber', 'Kavya Iyer', 'Liam Murphy', 'Mei Chen', 'Noah Johnson', 'Olga Petrova', 'Pablo García', 'Quinn Taylor', '鈴木 一郎', 'Rosa Bianchi',
  'Sami Nieminen', 'Tomás Costa', 'Uma Patel', 'Victor Dubois', 'Wen Zhang', 'Ximena López', 'Yusuf Demir', 'Zoe Williams', '高橋 健', 'Amara Diallo',
];

/** Parts by position: most work steadily; a few play the moments an instructor must see. */
const PARTS: Partial<Record<number, DemoPart>> = { 3: 'stuck', 11: 'stuck', 6: 'asks', 15: 'asks', 21: 'catching_up', 9: 'idle', 25: 'idle', 18: 'leaves', 28: 'absent' };

export const DEMO_STUDENTS: readonly DemoStudent[] = NAMES.map((name, i) => ({ userId: `demo-${String(i + 1).padStart(2, '0')}`, name, part: PARTS[i] ?? 'steady' }));
