/** `guidance render KIND --data FILE.json --out FILE.pdf|FILE.ofd [--format pdf|ofd]`. */
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerRenderCommand } from '../../client/commands/render';
import { EXAMPLES_DIR } from '../../activities/documents/templates';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { ensureOfdReader, readOfd } from '../helpers/ofdrw';
import { pdftotext, SETUP_TIMEOUT, squash, tempDir } from './helpers';

beforeAll(async () => {
  await ensureDocumentTools();
  ensureOfdReader();
}, SETUP_TIMEOUT);

function program() {
  const out: string[] = [];
  const p = new Command('guidance')
    .exitOverride()
    .configureOutput({ writeErr: (s) => out.push(s), writeOut: (s) => out.push(s) });
  registerRenderCommand(p);
  return { p, out };
}

describe('guidance render', () => {
  it('writes the PDF of any kind from a data file', async () => {
    const out = path.join(tempDir(), 'letter.pdf');
    const { p } = program();
    await p.parseAsync(['render', 'summons', '--data', path.join(EXAMPLES_DIR, 'summons.json'), '--out', out], {
      from: 'user',
    });
    expect(squash(pdftotext(out))).toContain('约谈通知书');
  });

  it('renders the 送达回证 from its example', async () => {
    const out = path.join(tempDir(), 'receipt.pdf');
    const { p } = program();
    await p.parseAsync(['render', 'receipt', '--data', path.join(EXAMPLES_DIR, 'receipt.json'), '--out', out], {
      from: 'user',
    });
    expect(squash(pdftotext(out))).toContain('送达回证');
  });

  it('refuses an unknown kind and bad data with a Chinese message', async () => {
    const { p, out } = program();
    await expect(
      p.parseAsync(['render', 'memo', '--data', 'x.json', '--out', 'x.pdf'], { from: 'user' }),
    ).rejects.toBeInstanceOf(CommanderError);
    expect(out.join('')).toContain('未知的文书种类');

    const bad = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ bureau: { name: '河洛市应急管理局' } }));
    const second = program();
    await expect(
      second.p.parseAsync(['render', 'urge', '--data', bad, '--out', path.join(tempDir(), 'x.pdf')], { from: 'user' }),
    ).rejects.toBeInstanceOf(CommanderError);
    expect(second.out.join('')).toMatch(/urge\.hbs.*issueDate/);
  });

  it('writes the OFD with --format ofd, or for an --out ending in .ofd; the same text as the PDF', async () => {
    const dir = tempDir();
    const data = path.join(EXAMPLES_DIR, 'opinion.json');
    const asked = path.join(dir, 'letter.bin');
    const byName = path.join(dir, 'letter.ofd');
    const pdf = path.join(dir, 'letter.pdf');
    const { p, out } = program();
    await p.parseAsync(['render', 'opinion', '--data', data, '--out', asked, '--format', 'ofd'], { from: 'user' });
    await program().p.parseAsync(['render', 'opinion', '--data', data, '--out', byName], { from: 'user' });
    await program().p.parseAsync(['render', 'opinion', '--data', data, '--out', pdf], { from: 'user' });
    expect(fs.readFileSync(asked).equals(fs.readFileSync(byName))).toBe(true);
    const [read] = readOfd([byName]);
    expect(read!.error).toBeUndefined();
    expect(squash(read!.text!.join(''))).toBe(squash(pdftotext(pdf)));
    expect(squash(read!.text!.join(''))).toContain('安全生产执法指导意见书');
    expect(out.join('')).toBe('');

    const bad = program();
    await expect(
      bad.p.parseAsync(['render', 'opinion', '--data', data, '--out', pdf, '--format', 'docx'], { from: 'user' }),
    ).rejects.toBeInstanceOf(CommanderError);
    expect(bad.out.join('')).toContain('--format 应为 pdf 或 ofd');
  });
});
