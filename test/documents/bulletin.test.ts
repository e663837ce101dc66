/**
 * The bulletin (执法指导情况通报) with 40 counties: the statistics table runs over several pages,
 * rows never split and the header row is repeated at the top of every page the table reaches.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderPdf } from '../../activities/documents/render';
import { exampleData } from '../../activities/documents/templates';
import type { BulletinRow } from '../../workflows/shared/document-data';
import { bulletinTable } from '../../workflows/shared/document-views';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { MM, pdftotext, SETUP_TIMEOUT, squash, words, writeTemp, type Word } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

const TOP = 37 * MM;

function counties(n: number): BulletinRow[] {
  return Array.from({ length: n }, (_, i) => ({
    county: `第${String(i + 1).padStart(2, '0')}号测试县`,
    inspections: 100 + ((i * 37) % 90),
    inspectors: 210 + i,
    documents: 300 + i * 3,
    cases: (i * 7) % 23,
    fines: ((i * 13) % 17) / 2,
    hazardsFound: 150 + i,
    hazardsFixed: 140 + (i % 10),
  }));
}

describe('bulletin table', () => {
  it('ranks by 检查处罚率, equal rates share a rank, no inspections ranks last', () => {
    const t = bulletinTable([
      {
        county: '甲',
        inspections: 100,
        inspectors: 1,
        documents: 1,
        cases: 10,
        fines: 1,
        hazardsFound: 10,
        hazardsFixed: 9,
      },
      {
        county: '乙',
        inspections: 50,
        inspectors: 1,
        documents: 1,
        cases: 10,
        fines: 2.5,
        hazardsFound: 0,
        hazardsFixed: 0,
      },
      {
        county: '丙',
        inspections: 200,
        inspectors: 1,
        documents: 1,
        cases: 20,
        fines: 0,
        hazardsFound: 4,
        hazardsFixed: 1,
      },
      {
        county: '丁',
        inspections: 0,
        inspectors: 0,
        documents: 0,
        cases: 0,
        fines: 0,
        hazardsFound: 0,
        hazardsFixed: 0,
      },
    ]);
    expect(t.rows.map((r) => [r.county, r.penaltyRate, r.rank])).toEqual([
      ['甲', '10.0', 2],
      ['乙', '20.0', 1],
      ['丙', '10.0', 2],
      ['丁', '—', 4],
    ]);
    expect(t.rows[1]!.fixRate).toBe('—');
    expect(t.total).toMatchObject({
      inspections: 350,
      cases: 40,
      penaltyRate: '11.4',
      fines: '3.50',
      hazardsFound: 14,
      hazardsFixed: 10,
      fixRate: '71.4',
    });
  });

  describe('40 counties', () => {
    const rows = counties(40);
    let pages: Word[][] = [];
    let file = '';
    beforeAll(async () => {
      const { pdf } = await renderPdf('bulletin', { ...(exampleData('bulletin') as object), rows });
      file = writeTemp(pdf);
      pages = words(file);
    });

    const tablePages = () =>
      pages.map((p, i) => ({ p, i })).filter(({ p }) => p.some((w) => /^第\d\d号测试县$/.test(w.text)));

    it('the table runs onto more than one page', () => {
      expect(tablePages().length).toBeGreaterThanOrEqual(2);
    });

    it('every page of the table starts with the header row, above all of its rows', () => {
      for (const { p, i } of tablePages()) {
        const header = p.filter((w) => w.text === '排名' || w.text === '单位');
        expect(header.length, `page ${i + 1}`).toBe(2);
        const firstRow = Math.min(...p.filter((w) => /^第\d\d号测试县$/.test(w.text)).map((w) => w.yMin));
        for (const h of header) expect(h.yMin).toBeLessThan(firstRow);
        const text = squash(pdftotext(file, ['-f', String(i + 1), '-l', String(i + 1)]));
        expect(text).toContain('序号');
        expect(text).toContain('检查处');
      }
      // On a continuation page the header sits at the top edge of the text block.
      const cont = tablePages()[1]!.p.find((w) => w.text === '排名')!;
      expect(cont.yMin).toBeGreaterThan(TOP);
      expect(cont.yMin).toBeLessThan(TOP + 30); // centred in a header row three lines high
    });

    it('all 40 rows appear once, none split across pages, with their rank on the same line', () => {
      const view = bulletinTable(rows);
      const seen: string[] = [];
      for (const { p } of tablePages()) {
        for (const w of p.filter((x) => /^第\d\d号测试县$/.test(x.text))) {
          seen.push(w.text);
          const row = view.rows.find((r) => r.county === w.text)!;
          // The rank cell (last column) lies on this row's line of this same page.
          const rank = p.find((x) => x.text === String(row.rank) && x.xMin > 480 && Math.abs(x.yMin - w.yMin) < 3);
          expect(rank, `rank of ${w.text}`).toBeDefined();
        }
      }
      expect(seen).toEqual(rows.map((r) => r.county));
    });
  });
});
