"""
Writes a TrueType twin of a CFF-based OpenType font: the same glyphs, metrics and cmap, with the
cubic CFF outlines approximated by quadratic TrueType ones (fontTools' cu2qu, within 1 font unit).

Why: the OFD backend embeds subsets of the fonts it draws with, and readers built on Java's font
stack (ofdrw among them) draw nothing for CFF outlines. Run once by set-up (scripts/setup-documents.ts),
never by a worker: a whole CJK face takes seconds.

Usage: python otf-to-ttf.py SOURCE.otf TARGET.ttf
"""
import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

MAX_ERR = 1.0  # font units (1/1000 em here): far below a device pixel at any size a letter uses


def convert(source: str, target: str) -> None:
    font = TTFont(source)
    if "CFF " not in font:
        raise SystemExit(f"{source}: not a CFF-based OpenType font")
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # CFF contours run counter-clockwise, TrueType's clockwise: reverse while converting.
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]  # CFF-only vertical origins
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: a reader needs the cmap only
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(target)  # maxp's point counts and loca are recomputed on save


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: otf-to-ttf.py SOURCE.otf TARGET.ttf")
    convert(sys.argv[1], sys.argv[2])
