// Reports the browser's timezone once, so the server-rendered schedule shows
// the viewer's own times. Without JavaScript the picker form does the same.
import { t } from "./i18n.js";

const form = document.querySelector("form.tz");
const detected = Intl.DateTimeFormat().resolvedOptions().timeZone;

// IANA names are cookie-safe as they are ("America/Argentina/Buenos_Aires",
// "Etc/GMT+5"); anything else is not sent.
const safe = /^[A-Za-z0-9_+\-\/]{1,64}$/.test(detected || "");

if (form && detected && safe) {
  const input = form.querySelector("input[name=tz]");
  if (form.dataset.tzKnown === "no" && !sessionStorage.getItem("hearth-tz-tried")) {
    // Remember that we tried, so a zone the server rejects cannot loop.
    sessionStorage.setItem("hearth-tz-tried", "1");
    document.cookie = `tz=${detected}; path=/; max-age=34560000; samesite=lax`;
    location.reload();
  } else if (input && input.value !== detected) {
    const hint = document.createElement("p");
    hint.className = "hint";
    const use = document.createElement("button");
    use.type = "button";
    use.textContent = t("tz.useDevice", { Zone: detected });
    use.addEventListener("click", () => {
      input.value = detected;
      form.requestSubmit();
    });
    hint.append(use);
    form.append(hint);
  }
}
