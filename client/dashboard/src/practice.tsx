/**
 * The 演练模式 banner: when the server runs a practice year (`guidance sandbox`), /api/mode says so
 * and every page, the login and receipt pages included, shows the simulated date, so nobody takes
 * a practice letter for a real one. A real deployment answers { practice: false }: nothing shows.
 */
import { useEffect, useState } from 'preact/hooks';
import { sessionApi } from './api';
import type { Mode } from './types';

export function PracticeBanner() {
  const [mode, setMode] = useState<Mode | null>(null);
  useEffect(() => {
    let timer: number | undefined;
    let alive = true;
    const refresh = async () => {
      const m = await sessionApi.mode().catch(() => null);
      if (!alive) return;
      setMode(m);
      // Again just after the next simulated day begins (at most every 30 s, at least every 0.5 s);
      // a server restarting is asked again in 10 s.
      if (m?.practice) timer = window.setTimeout(refresh, Math.min(30000, Math.max(500, m.nextDayInMs + 50)));
      else if (m === null) timer = window.setTimeout(refresh, 10000);
    };
    void refresh();
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, []);
  useEffect(() => {
    if (mode?.practice && !document.title.startsWith('【演练】')) document.title = `【演练】${document.title}`;
  }, [mode]);
  if (!mode?.practice) return null;
  return (
    <div id="practice-banner" class="practice-banner no-print" role="status">
      <b>{mode.label}</b> {mode.notice} <span class="practice-today">今天（模拟）：{mode.today}</span>
    </div>
  );
}
