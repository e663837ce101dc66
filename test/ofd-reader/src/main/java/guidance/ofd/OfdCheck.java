package guidance.ofd;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.ofdrw.converter.ImageMaker;
import org.ofdrw.core.text.font.CT_Font;
import org.ofdrw.reader.ContentExtractor;
import org.ofdrw.reader.OFDReader;

/**
 * Reads one OFD with ofdrw and prints what a reader found, as one line of JSON: the page count,
 * each page's text (its TextCodes in order, one per line), the fonts the resources declare with
 * their font files, and, given a PNG prefix, each page rendered at PPM pixels per millimetre.
 *
 * <p>Usage: {@code OfdCheck FILE.ofd [PNG_PREFIX [PPM]]}; exit 1 with the reader's error on stderr
 * when ofdrw cannot open the file.
 */
public final class OfdCheck {
  private OfdCheck() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String pngPrefix = args.length > 1 ? args[1] : null;
    double ppm = args.length > 2 ? Double.parseDouble(args[2]) : 5.0;
    StringBuilder out = new StringBuilder("{");
    try (OFDReader reader = new OFDReader(file)) {
      int pages = reader.getNumberOfPages();
      out.append("\"pages\":").append(pages).append(",\"text\":[");
      ContentExtractor extractor = new ContentExtractor(reader);
      for (int p = 1; p <= pages; p++) {
        List<String> codes = extractor.getPageContent(p);
        out.append(p > 1 ? "," : "").append(json(String.join("\n", codes)));
      }
      out.append("],\"fonts\":[");
      boolean first = true;
      for (CT_Font font : reader.getResMgt().getFonts()) {
        out.append(first ? "" : ",")
            .append("{\"name\":")
            .append(json(font.getFontName()))
            .append(",\"file\":")
            .append(font.getFontFile() == null ? "null" : json(font.getFontFile().toString()))
            .append("}");
        first = false;
      }
      out.append("],\"images\":[");
      if (pngPrefix != null) {
        ImageMaker maker = new ImageMaker(reader, ppm);
        for (int i = 0; i < pages; i++) {
          BufferedImage image = maker.makePage(i);
          File png = new File(pngPrefix + "-" + (i + 1) + ".png");
          ImageIO.write(image, "PNG", png);
          out.append(i > 0 ? "," : "").append(json(png.getPath()));
        }
      }
      out.append("]}");
    }
    System.out.println(out);
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c == '\n') b.append("\\n");
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
