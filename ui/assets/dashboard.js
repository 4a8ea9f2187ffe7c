// Runs in the page itself (st.html with JavaScript): the document language, Japanese for the few
// English words Streamlit draws itself, and the presentation keys a presenter's clicker sends.
(() => {
  document.documentElement.lang = "ja";
  // A page with charts imports Streamlit's chart code (plotly.js) now, from the same file that its
  // first chart imports (one module, loaded once), instead of after the server has sent that chart.
  const main = document.querySelector('script[type="module"][src*="/static/js/index."]');
  for (const module of main ? __MODULES__ : []) import(new URL(module, main.src).href).catch(() => {});
  if (window.dashboardReady) return;
  window.dashboardReady = true;

  const WORDS = new Map(Object.entries(__WORDS__));
  // Labels Streamlit builds around the app's own words: 「Help for 評価方法」, 「比べる案 — start」.
  const PATTERNS = [
    [/^Help for (.+)$/, (m) => `${m[1]}の説明`],
    [/^(.+) — start$/, (m) => `${m[1]}（始め）`],
    [/^(.+) — end$/, (m) => `${m[1]}（終わり）`],
  ];
  const translateText = (text) => {
    const trimmed = text.trim();
    if (WORDS.has(trimmed)) return text.replace(trimmed, WORDS.get(trimmed));
    for (const [pattern, replace] of PATTERNS) {
      const match = trimmed.match(pattern);
      if (match) return replace(match);
    }
    return null;
  };
  const translate = () => {
    // Set only when it differs: every change to the page is work for the browser (and its observers).
    if (document.documentElement.lang !== "ja") document.documentElement.lang = "ja";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = translateText(node.nodeValue);
      if (text !== null && text !== node.nodeValue) node.nodeValue = text;
    }
    // Streamlit's own size limit (200MB) is not ours (the page's label states it): keep only the formats.
    for (const element of document.querySelectorAll('[data-testid="stFileUploaderDropzoneInstructions"] span')) {
      const limit = element.textContent.match(/MB per file\s*•?\s*(.*)$/);
      if (limit) element.textContent = limit[1] ? `形式: ${limit[1].toLowerCase()}` : "";
    }
    for (const element of document.querySelectorAll("[aria-label], [title]")) {
      for (const name of ["aria-label", "title"]) {
        const value = element.getAttribute(name);
        const text = value ? translateText(value) : null;
        if (text !== null && text !== value) element.setAttribute(name, text);
      }
    }
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      translate();
    });
  }).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["aria-label", "title"] });
  translate();

  const KEYS = { ArrowLeft: "back", PageUp: "back", ArrowRight: "forward", PageDown: "forward", " ": "forward", Home: "first", End: "last" };
  document.addEventListener("keydown", (event) => {
    const step = KEYS[event.key];
    if (!step || event.altKey || event.ctrlKey || event.metaKey) return;
    // Keys typed into a field, or Space on a focused button (which clicks it), stay theirs.
    if (event.target.closest("input, textarea, select, [contenteditable='true'], [role='slider']")) return;
    if (event.key === " " && event.target.closest("button, a")) return;
    if (!document.querySelector(`.st-key-slide_${step} button`)) return; // not on 発表モード
    event.preventDefault();
    // Right after a slide change the buttons may not be redrawn yet (「最後」 still disabled on the
    // last slide): try again for a moment rather than drop the key.
    const press = (tries) => {
      const button = document.querySelector(`.st-key-slide_${step} button`);
      if (button && !button.disabled) button.click();
      else if (tries > 0) setTimeout(() => press(tries - 1), 100);
    };
    press(15);
  });
})();
