// The page's messages, from the server's catalog (ui/i18n/locales): the
// page carries the ones its modules need in <script id="hearth-i18n">, in
// the page's language, so no text is written in JavaScript.
const el = document.getElementById("hearth-i18n");
const messages = el ? JSON.parse(el.textContent || "{}") : {};

/** The page language, as in <html lang>. */
export const lang = document.documentElement.lang || "en";

const plurals = new Intl.PluralRules(lang);

/**
 * Returns message id with its {{.Field}} placeholders filled from vars.
 * A plural message picks its form by vars.Count with the language's CLDR
 * rules. A missing message shows its id, so a test can spot it.
 */
export function t(id, vars = {}) {
  let m = messages[id];
  if (m === undefined) return id;
  if (typeof m === "object") m = m[plurals.select(Number(vars.Count))] ?? m.other;
  return m.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, k) => String(vars[k] ?? ""));
}

/** True when the catalog has id (refusal codes that the server may add). */
export function has(id) {
  return id in messages;
}

/**
 * Marks locale data the browser formats (a chat message's time, weekday
 * names) in the pseudo-locale, as the server marks its CLDR data, so that
 * only text from neither shows unmarked there.
 */
export function localeText(s) {
  return lang === "en-XA" ? `⟦${s}⟧` : s;
}
