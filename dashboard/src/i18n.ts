/**
 * The dashboard's words in English and Japanese (../shared/docs/DASHBOARD.md "Words"). The language
 * follows the browser unless the instructor picks one; the choice is kept in localStorage.
 */
import type { StudentStatus } from '@cell-monitor/shared/dashboard';

const en = {
  'status.help': 'help',
  'status.stuck': 'stuck',
  'status.catching_up': 'catching up',
  'status.active': 'active',
  'status.idle': 'idle',
  'status.offline': 'offline',
  'signin.title': 'Sign in to your class dashboard',
  'signin.email': 'Email',
  'signin.password': 'Password',
  'signin.submit': 'Sign in',
  'signin.noAccount': 'No instructor account yet. On the collector machine run:',
  'signin.noSignIn': 'Sign-in is not configured on this collector (JWT_SECRET).',
  'signin.ended': 'Your session ended (signed out elsewhere, password changed or expired). Please sign in again.',
  'header.class': 'Class',
  'header.everyone': 'Everyone seen today',
  'header.timeToHelp': 'time to help',
  'header.median': 'median',
  'header.p90': 'p90',
  'header.myStatus': 'My status',
  'header.projector': 'Projector',
  'header.signOut': 'Sign out',
  'header.live': 'Live',
  'header.reconnecting': 'Reconnecting…',
  'header.lastUpdate': 'last update',
  'tab.board': 'Board',
  'tab.progress': 'Where the class is',
  'tab.errors': 'Error clusters',
  'tab.broadcast': 'Broadcast',
  'board.search': 'Search by name',
  'board.all': 'all',
  'board.noClasses': 'No class yet. Create one with POST /api/v1/classes (see the README), then enroll students.',
  'board.noStudents': 'No students seen yet. Point JupyterLab at this collector: see lab-extension/README.md.',
  'board.none': 'No student matches.',
  'card.run': '{n} run',
  'card.runs': '{n} runs',
  'card.error': '{n} error',
  'card.errors': '{n} errors',
  'card.waiting': 'waiting',
  'card.claimedBy': 'on the way:',
  'card.lateBy': 'events arriving late by',
  'card.incomplete': 'the picture is incomplete',
  'card.cell': 'cell',
  'card.ago': 'ago',
  'card.never': 'never seen',
  'help.queue': 'Help queue',
  'help.empty': 'Nobody is waiting.',
  'help.claim': 'Claim',
  'help.resolve': 'Resolve',
  'progress.notebook': 'Notebook',
  'progress.cell': 'Cell',
  'progress.ran': 'Ran',
  'progress.succeeded': 'Succeeded',
  'progress.attempts': 'Median attempts',
  'progress.time': 'Median time',
  'progress.now': 'Students on each cell now',
  'progress.perStudent': 'Progress per student',
  'progress.empty': 'No runs recorded for this class yet.',
  'errors.student': '{n} student',
  'errors.students': '{n} students',
  'board.highlighting': 'Showing the {n} students of one error cluster.',
  'board.clear': 'Show everyone',
  'errors.empty': 'No errors today.',
  'errors.example': 'Latest example',
  'errors.highlight': 'Show on board',
  'student.back': 'Back to the board',
  'student.attempts': 'Attempts per cell',
  'student.timeline': 'Timeline',
  'broadcast.label': 'Message to every student of the class',
  'broadcast.send': 'Send',
  'broadcast.sent1': 'Sent to {n} student.',
  'broadcast.sent': 'Sent to {n} students.',
  'broadcast.pickClass': 'Pick a class first.',
  'settings.stuck': 'Stuck after this many errors in a row on one cell',
  'settings.save': 'Save',
  'error.generic': 'Something went wrong',
} as const;

export type WordKey = keyof typeof en;

const ja: Record<WordKey, string> = {
  'status.help': 'ヘルプ要請',
  'status.stuck': 'つまずき',
  'status.catching_up': '同期中',
  'status.active': '作業中',
  'status.idle': '待機中',
  'status.offline': 'オフライン',
  'signin.title': 'クラスダッシュボードにサインイン',
  'signin.email': 'メールアドレス',
  'signin.password': 'パスワード',
  'signin.submit': 'サインイン',
  'signin.noAccount': '講師アカウントがまだありません。コレクターのマシンで次を実行してください:',
  'signin.noSignIn': 'このコレクターではサインインが設定されていません (JWT_SECRET)。',
  'signin.ended': 'セッションが終了しました (他の場所でサインアウト、パスワード変更、または期限切れ)。もう一度サインインしてください。',
  'header.class': 'クラス',
  'header.everyone': '今日見かけた全員',
  'header.timeToHelp': '対応までの時間',
  'header.median': '中央値',
  'header.p90': 'p90',
  'header.myStatus': '自分の状態',
  'header.projector': 'プロジェクター',
  'header.signOut': 'サインアウト',
  'header.live': 'ライブ',
  'header.reconnecting': '再接続中…',
  'header.lastUpdate': '最終更新',
  'tab.board': 'ボード',
  'tab.progress': 'クラスの進み具合',
  'tab.errors': 'エラーの傾向',
  'tab.broadcast': '全体連絡',
  'board.search': '名前で検索',
  'board.all': 'すべて',
  'board.noClasses': 'クラスがまだありません。POST /api/v1/classes で作成し (README 参照)、学生を登録してください。',
  'board.noStudents': 'まだ学生が見えていません。JupyterLab をこのコレクターに向けてください: lab-extension/README.md 参照。',
  'board.none': '該当する学生はいません。',
  'card.run': '実行 {n}',
  'card.runs': '実行 {n}',
  'card.error': 'エラー {n}',
  'card.errors': 'エラー {n}',
  'card.waiting': '待ち時間',
  'card.claimedBy': '対応中:',
  'card.lateBy': 'イベントの遅れ',
  'card.incomplete': '状況はまだ不完全です',
  'card.cell': 'セル',
  'card.ago': '前',
  'card.never': '未接続',
  'help.queue': 'ヘルプ待ち',
  'help.empty': '待っている人はいません。',
  'help.claim': '対応する',
  'help.resolve': '解決済みにする',
  'progress.notebook': 'ノートブック',
  'progress.cell': 'セル',
  'progress.ran': '実行率',
  'progress.succeeded': '成功率',
  'progress.attempts': '成功までの試行 (中央値)',
  'progress.time': '所要時間 (中央値)',
  'progress.now': '各セルにいる学生数',
  'progress.perStudent': '学生ごとの進捗',
  'progress.empty': 'このクラスの実行記録はまだありません。',
  'errors.student': '{n} 人',
  'errors.students': '{n} 人',
  'board.highlighting': 'エラーの傾向の {n} 人を表示しています。',
  'board.clear': '全員を表示',
  'errors.empty': '今日のエラーはありません。',
  'errors.example': '最新の例',
  'errors.highlight': 'ボードで表示',
  'student.back': 'ボードに戻る',
  'student.attempts': 'セルごとの試行',
  'student.timeline': 'タイムライン',
  'broadcast.label': 'クラス全員へのメッセージ',
  'broadcast.send': '送信',
  'broadcast.sent1': '{n} 人に送信しました。',
  'broadcast.sent': '{n} 人に送信しました。',
  'broadcast.pickClass': '先にクラスを選んでください。',
  'settings.stuck': '同じセルで連続何回エラーでつまずきとするか',
  'settings.save': '保存',
  'error.generic': 'エラーが発生しました',
};

export const DICTIONARIES = { en, ja } as const;
export type Language = keyof typeof DICTIONARIES;
const KEY = 'cell-monitor:dashboard-language';

export function initialLanguage(): Language {
  const kept = localStorage.getItem(KEY);
  if (kept === 'en' || kept === 'ja') return kept;
  return navigator.language?.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export function keepLanguage(language: Language): void {
  localStorage.setItem(KEY, language);
}

export type Translate = (key: WordKey, vars?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  return (key, vars) => {
    let text: string = DICTIONARIES[language][key] ?? en[key];
    for (const [name, value] of Object.entries(vars ?? {})) text = text.replace(`{${name}}`, String(value));
    return text;
  };
}

export const statusWord = (t: Translate, status: StudentStatus) => t(`status.${status}` as WordKey);
