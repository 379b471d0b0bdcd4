// On a phone the schedule's filters fold away behind one button, so the
// meetings start on the first screen (TSML UI and the Meeting Guide app do
// the same). Without JavaScript, or on a wider screen, the form is shown.
import { t } from "./i18n.js";

const form = document.getElementById("filters");
const toggle = document.getElementById("filters-toggle");

if (form && toggle) {
  const narrow = matchMedia("(max-width: 47.99rem)");
  // Every filter the form sends with a value counts, whatever it is.
  const active = [...form.elements]
    .filter((el) => el.name && el.value && !["hidden", "submit", "button"].includes(el.type)).length;
  if (active) toggle.textContent = t("filter.toggleActive", { Count: active });
  const apply = () => {
    toggle.hidden = !narrow.matches;
    form.hidden = narrow.matches && toggle.getAttribute("aria-expanded") !== "true";
  };
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    apply();
    if (open) form.querySelector("select, input")?.focus();
  });
  narrow.addEventListener("change", apply);
  apply();
}
