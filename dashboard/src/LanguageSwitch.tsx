/** EN / 日本語: the page's language (LanguageContext.tsx), on the sign-in page and in the header. */
import { useLanguage } from './LanguageContext.tsx';

export function LanguageSwitch() {
  const [language, setLanguage] = useLanguage();
  return (
    <div class="lang" role="group" aria-label="Language / 言語">
      {(['en', 'ja'] as const).map((l) => (
        <button type="button" aria-pressed={language === l} class={language === l ? 'on' : ''} onClick={() => setLanguage(l)}>
          {l === 'en' ? 'EN' : '日本語'}
        </button>
      ))}
    </div>
  );
}
