// 演练模式 banner. When the server runs a practice year (`guidance sandbox`), /api/mode says so and
// every page, the login page included, shows a banner with the simulated date, so nobody takes a
// practice letter for a real one. A real deployment answers { practice: false } and nothing shows.
// Kept apart from app.js: it needs no login and knows nothing of the pages.
/* global document, fetch, setTimeout */
'use strict';

(function practiceBanner() {
  let banner = null;

  function show(mode) {
    if (!banner) {
      banner = document.createElement('div');
      banner.id = 'practice-banner';
      banner.className = 'practice-banner no-print';
      banner.setAttribute('role', 'status');
      document.body.prepend(banner);
      if (!document.title.startsWith('【演练】')) document.title = `【演练】${document.title}`;
    }
    const label = document.createElement('b');
    label.textContent = mode.label;
    const today = document.createElement('span');
    today.className = 'practice-today';
    today.textContent = `今天（模拟）：${mode.today}`;
    banner.replaceChildren(label, ` ${mode.notice} `, today);
  }

  async function refresh() {
    let mode;
    try {
      const res = await fetch('/api/mode', { credentials: 'same-origin' });
      mode = res.ok ? await res.json() : null;
    } catch {
      mode = null;
    }
    if (mode && mode.practice) {
      show(mode);
      // Again just after the next simulated day begins (at most every 30 s, at least every 0.5 s).
      setTimeout(refresh, Math.min(30000, Math.max(500, Number(mode.nextDayInMs) + 50)));
    } else if (mode === null) {
      setTimeout(refresh, 10000); // the server is restarting: ask again
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', refresh);
  else refresh();
})();
