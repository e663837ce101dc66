/**
 * The programme's state as people read it (GET /api/years/:year/programme): no server paths
 * (bulletin PDFs), no internal progress notes; its record (audit) with who acted and what happened
 * in words (client/names.ts).
 */
import type { ProgrammeState } from '../../workflows/contracts/programme';
import { nameBook, readableLog, type NameBook } from '../names';

export function programmeView(p: ProgrammeState, book: NameBook = nameBook({})) {
  const { progress: _progress, bulletins, audit, ...rest } = p;
  const names = nameBook({ plan: undefined, counties: p.entries });
  const known: NameBook = { people: book.people, counties: new Map([...names.counties, ...book.counties]) };
  return { ...rest, audit: readableLog(known, audit), bulletins: bulletins.map(({ documentPath: _path, ...b }) => b) };
}
