/**
 * The page's language, given to every component by context instead of a `t` prop: `useT()` is the
 * translator for the chosen language, `useLanguage()` the choice and how to change it (the switch).
 * The provider keeps the choice (localStorage) and sets `<html lang>`.
 */
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { initialLanguage, keepLanguage, translator, type Language, type Translate } from './i18n.ts';

interface LanguageChoice {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
}

const LanguageContext = createContext<LanguageChoice>({ language: 'en', setLanguage: () => undefined, t: translator('en') });

export function LanguageProvider({ children }: { children: ComponentChildren }) {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const choice = useMemo(() => ({ language, setLanguage, t: translator(language) }), [language]);
  useEffect(() => {
    document.documentElement.lang = language;
    keepLanguage(language);
  }, [language]);
  return <LanguageContext.Provider value={choice}>{children}</LanguageContext.Provider>;
}

export const useT = (): Translate => useContext(LanguageContext).t;

export function useLanguage(): [Language, (language: Language) => void] {
  const { language, setLanguage } = useContext(LanguageContext);
  return [language, setLanguage];
}
