package guidance.ofd;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.ofdrw.converter.ImageMaker;
import org.ofdrw.core.text.font.CT_Font;
import org.ofdrw.reader.ContentExtractor;
import org.ofdrw.reader.OFDReader;

/**
 * Reads OFD files with ofdrw and prints what a reader found, one line of JSON per file: the file,
 * the page count, each page's text (its TextCodes in order, one per line), the fonts the resources
 * declare with their font files, and, given an image prefix, each page rendered at PPM pixels per
 * millimetre.
 *
 * <p>Usage:
 *
 * <ul>
 *   <li>{@code OfdCheck FILE.ofd [PREFIX [PPM [FORMAT]]]}: one file; exit 1 with the reader's
 *       error on stderr when ofdrw cannot open it.
 *   <li>{@code OfdCheck --batch LIST}: every file LIST names, one per line as {@code
 *       FILE[<tab>PREFIX[<tab>PPM[<tab>FORMAT]]]}, in one JVM (its start costs more than reading a
 *       letter). A file ofdrw cannot open prints {@code {"file":…,"error":…}} and the others are
 *       still read; the exit status is then 1.
 * </ul>
 *
 * <p>FORMAT is {@code png} (the default) or {@code pgm}: binary greyscale, which the tests read
 * without an image library.
 */
public final class OfdCheck {
  private OfdCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--batch")) {
      boolean failed = false;
      for (String line : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
        if (line.isBlank()) continue;
        String[] cols = line.split("\t");
        try {
          System.out.println(check(cols));
        } catch (Exception | LinkageError e) {
          failed = true;
          System.out.println(
              "{\"file\":" + json(cols[0]) + ",\"error\":" + json(String.valueOf(e)) + "}");
        }
        System.out.flush();
      }
      System.exit(failed ? 1 : 0);
    }
    System.out.println(check(args));
  }

  /** One file: {@code cols} = FILE [PREFIX [PPM [FORMAT]]]. */
  private static String check(String[] cols) throws IOException {
    Path file = Path.of(cols[0]);
    String prefix = cols.length > 1 && !cols[1].isEmpty() ? cols[1] : null;
    double ppm = cols.length > 2 ? Double.parseDouble(cols[2]) : 5.0;
    String format = cols.length > 3 ? cols[3] : "png";
    StringBuilder out = new StringBuilder("{\"file\":").append(json(cols[0]));
    try (OFDReader reader = new OFDReader(file)) {
      int pages = reader.getNumberOfPages();
      out.append(",\"pages\":").append(pages).append(",\"text\":[");
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
      if (prefix != null) {
        ImageMaker maker = new ImageMaker(reader, ppm);
        for (int i = 0; i < pages; i++) {
          BufferedImage image = maker.makePage(i);
          File target = new File(prefix + "-" + (i + 1) + "." + format);
          if (format.equals("pgm")) writePgm(image, target);
          else ImageIO.write(image, "PNG", target);
          out.append(i > 0 ? "," : "").append(json(target.getPath()));
        }
      }
      out.append("]}");
    }
    return out.toString();
  }

  /** Binary PGM (P5) of the image's luminance (Rec. 601 weights, as pdftoppm -gray). */
  static void writePgm(BufferedImage image, File target) throws IOException {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
    byte[] grey = new byte[w * h];
    for (int i = 0; i < rgb.length; i++) {
      int p = rgb[i];
      int a = p >>> 24;
      // A transparent pixel is the white page underneath.
      int r = ((p >> 16) & 0xff) * a / 255 + 255 - a;
      int g = ((p >> 8) & 0xff) * a / 255 + 255 - a;
      int b = (p & 0xff) * a / 255 + 255 - a;
      grey[i] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
    try (OutputStream os = new BufferedOutputStream(new FileOutputStream(target))) {
      os.write(("P5\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII));
      os.write(grey);
    }
  }

  static String json(String s) {
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
