/**
 * The strict XML reader under the document markup (markup.ts): elements, attributes, text and the
 * five predefined entities, each element with its line for messages; anything else is an error.
 */
export interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  line: number;
}
export type Node = Element | string;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string, fail: (msg: string) => never): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) fail(`未知的字符实体 &${e};`);
    return v;
  });
}

/** Tokenises the markup into an element tree; errors carry the output line. */
export function parseXml(src: string, fail: (msg: string, line: number) => never): Element {
  const root: Element = { name: '#root', attrs: {}, children: [], line: 1 };
  const stack: Element[] = [root];
  let i = 0;
  let line = 1;
  const advanceTo = (j: number) => {
    for (let k = i; k < j; k++) if (src.charCodeAt(k) === 10) line++;
    i = j;
  };
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const end = lt < 0 ? src.length : lt;
    if (end > i) {
      const text = decode(src.slice(i, end), (m) => fail(m, line));
      stack[stack.length - 1]!.children.push(text);
      advanceTo(end);
      continue;
    }
    if (src.startsWith('<!--', i)) {
      const close = src.indexOf('-->', i);
      if (close < 0) fail('注释没有结束（缺少 -->）', line);
      advanceTo(close + 3);
      continue;
    }
    const gt = src.indexOf('>', i);
    if (gt < 0) fail('标签没有结束（缺少 >）', line);
    const tag = src.slice(i + 1, gt);
    const startLine = line;
    advanceTo(gt + 1);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open === root || open.name !== name) {
        fail(`结束标签 </${name}> 与 <${open && open !== root ? open.name : '（无）'}> 不匹配`, startLine);
      }
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const m = /^([a-z][a-z0-9]*)((?:\s+[a-z-]+="[^"]*")*)\s*\/?$/.exec(tag);
    if (!m) fail(`无法解析的标签 <${tag}>`, startLine);
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([a-z-]+)="([^"]*)"/g)) attrs[a[1]!] = decode(a[2]!, (msg) => fail(msg, startLine));
    const el: Element = { name: m[1]!, attrs, children: [], line: startLine };
    stack[stack.length - 1]!.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 1) fail(`元素 <${stack[stack.length - 1]!.name}> 没有结束`, stack[stack.length - 1]!.line);
  return root;
}
