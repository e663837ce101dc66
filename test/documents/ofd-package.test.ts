/**
 * The OFD package's font entries (activities/documents/ofd-package.ts): a packed subset, cached by
 * font file and character set, inflates to exactly what HarfBuzz subsets for those characters, in
 * whatever order and repetition they come, fresh or from the cache, before and after eviction.
 */
import { inflateRawSync, crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subsetFont } from '../../activities/documents/font-subset';
import { loadFonts } from '../../activities/documents/fonts';
import { packedFont } from '../../activities/documents/ofd-package';

const POOL = [...'河洛市应急管理局香山县安全生产执法指导意见书一二三四五六七八九十年月日（）〔〕：；，。、ABC123'];

describe('packed font subsets', () => {
  it('inflate to the subset of the same characters, in any order, cached or not (fast-check)', () => {
    const files = Object.values(loadFonts().faces).map((f) => f.ofdFile!);
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 30 }),
        (file, chars) => {
          const packed = packedFont(file, chars);
          const again = packedFont(file, [...chars].reverse().concat(chars));
          expect(again).toBe(packed);
          const bytes = inflateRawSync(packed.deflated);
          expect(bytes.length).toBe(packed.size);
          expect(crc32(bytes)).toBe(packed.crc);
          expect(bytes.equals(Buffer.from(subsetFont(file, [...new Set(chars)].sort())))).toBe(true);
        },
      ),
      { numRuns: 300 }, // more character sets than the cache keeps: evicted ones are made again, equal
    );
  });
});
