/**
 * The dashboard's languages (English, 日本語; one dictionary file each in words/). The language
 * follows the browser unless the instructor picks one; the choice is kept in localStorage. Pure: the
 * page reads `t` from LanguageContext.tsx, the tests read the dictionaries here.
 */
import type { StudentStatus } from '@cell-monitor/shared/dashboard';
import { en, type WordKey } from './words/en.ts';
import { ja } from './words/ja.ts';

export type { WordKey };

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
