/**
 * Filling a bureau's wording (可修改的文字): the mail subjects and bodies of the plan's `wording`
 * (workflows/shared/wording.ts) are Handlebars, filled here and never in workflow code. The plan
 * loader compiles every mail text with the same options at load, so a syntax error or an unknown
 * helper is a plan error on day one, not a failed letter in October.
 */
import { ApplicationFailure } from '@temporalio/common';
import Handlebars from 'handlebars';
import { formatDateZh } from '../workflows/shared/documents';
import { FailureType } from '../workflows/shared/errors';

/** A mail text of the plan's wording: Handlebars subject (one line) and body (paragraphs split by blank lines). */
export interface TextTemplate {
  subject: string;
  body: string;
}

export interface FillTextInput {
  template: TextTemplate;
  /** What the template may name, e.g. `{ county, docNumber, visitDate }`. */
  data: Record<string, unknown>;
}

/** The filled text, in the shape of a mail's content. */
export interface FilledText {
  /** One line: newlines become spaces. */
  subject: string;
  /** The body split at blank lines, each paragraph trimmed, empty ones dropped. */
  paragraphs: string[];
}

const hb = Handlebars.create();
/** `{{date visitDate}}` → 2027年3月5日. */
hb.registerHelper('date', (iso: unknown) => formatDateZh(String(iso)));

// Plain text: nothing is HTML-escaped (the HTML body escapes every string itself). Only the
// built-in helpers and `date`: anything else is refused when the plan is loaded.
const OPTIONS = { noEscape: true, knownHelpers: { date: true }, knownHelpersOnly: true } as const;

const cache = new Map<string, HandlebarsTemplateDelegate>();

/**
 * Compiles a mail text (cached by its source). Throws Handlebars' own error on bad syntax or an
 * unknown helper; `precompile` makes the compile eager (Handlebars otherwise compiles on first use).
 */
export function compileText(source: string): HandlebarsTemplateDelegate {
  let fn = cache.get(source);
  if (!fn) {
    hb.precompile(source, OPTIONS);
    fn = hb.compile(source, OPTIONS);
    cache.set(source, fn);
  }
  return fn;
}

function templateError(which: 'subject' | 'body', e: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.TemplateError,
    message: `邮件文字模板（${which === 'subject' ? '主题' : '正文'}）有误：${(e as Error).message}`,
    nonRetryable: true,
  });
}

function fill(which: 'subject' | 'body', source: string, data: Record<string, unknown>): string {
  try {
    return compileText(source)(data);
  } catch (e) {
    // A template or its data is wrong; retrying cannot change that.
    throw templateError(which, e);
  }
}

/** Fills a mail text: the subject on one line, the body as paragraphs. */
export function fillTextSync(input: FillTextInput): FilledText {
  const subject = fill('subject', input.template.subject, input.data)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim();
  const paragraphs = fill('body', input.template.body, input.data)
    .split(/\r?\n[ \t\u3000]*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return { subject, paragraphs };
}

export function createWordingActivities() {
  return {
    /** Fills one of the plan's mail texts with the letter's data. */
    async fillText(input: FillTextInput): Promise<FilledText> {
      return fillTextSync(input);
    },
  };
}

export type WordingActivities = ReturnType<typeof createWordingActivities>;
