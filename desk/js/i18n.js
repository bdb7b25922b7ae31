// t(key, values): the catalogue's text in the chosen language, {name} filled in. The choice is kept
// in localStorage; the first visit follows the browser's language.
import { MESSAGES } from "./messages.js";

const KEY = "switchboard.desk.language";
let current = localStorage.getItem(KEY) || (navigator.language.startsWith("zh") ? "zh-CN" : "en");

export function language() {
  return current;
}

export function setLanguage(value) {
  current = MESSAGES[value] ? value : "en";
  localStorage.setItem(KEY, current);
  document.documentElement.lang = current;
  document.title = t("app.title");
}

export function t(key, values = {}) {
  const text = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// A vocabulary value (queue, intent, status...) in words, or the value itself when unknown.
export function term(kind, value) {
  if (value === null || value === undefined || value === "") return "—";
  const key = `${kind}.${value}`;
  return MESSAGES[current][key] ?? MESSAGES.en[key] ?? String(value);
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString(current, { dateStyle: "short", timeStyle: "short" }) : "—";
}
