import type { Language } from './i18n.ts';

export function LanguageSwitch({ language, onLanguage }: { language: Language; onLanguage: (l: Language) => void }) {
  return (
    <div class="lang" role="group" aria-label="Language / 言語">
      {(['en', 'ja'] as const).map((l) => (
        <button type="button" aria-pressed={language === l} class={language === l ? 'on' : ''} onClick={() => onLanguage(l)}>
          {l === 'en' ? 'EN' : '日本語'}
        </button>
      ))}
    </div>
  );
}
