package guidance.ofd;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.File;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.ofdrw.converter.ImageMaker;
import org.ofdrw.reader.OFDReader;

/**
 * One picture for the docs: a page as poppler drew the PDF (left, a PNG made by pdftoppm) beside
 * the same page as ofdrw draws the OFD (right), each framed and labelled. Composed here rather
 * than with ImageMagick, which the machines running the docs script need not have.
 *
 * <p>Usage: {@code SideBySide LEFT.png FILE.ofd PAGE OUT.png PPM} (PAGE from 1; PPM pixels per
 * millimetre, matching the resolution LEFT was drawn at).
 */
public final class SideBySide {
  private SideBySide() {}

  public static void main(String[] args) throws Exception {
    BufferedImage left = ImageIO.read(new File(args[0]));
    int page = Integer.parseInt(args[2]);
    double ppm = Double.parseDouble(args[4]);
    BufferedImage right;
    try (OFDReader reader = new OFDReader(Path.of(args[1]))) {
      right = new ImageMaker(reader, ppm).makePage(page - 1);
    }
    int margin = (int) Math.round(4 * ppm);
    int label = (int) Math.round(7 * ppm);
    int w = left.getWidth() + right.getWidth() + 3 * margin;
    int h = Math.max(left.getHeight(), right.getHeight()) + label + 2 * margin;
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(new Color(0xee, 0xee, 0xee));
    g.fillRect(0, 0, w, h);
    int top = margin + label;
    int[] xs = {margin, 2 * margin + left.getWidth()};
    BufferedImage[] pages = {left, right};
    // ASCII labels: the JVM's default fonts need not have CJK glyphs.
    String[] names = {"PDF (pdfkit), drawn by poppler", "OFD (ofd.ts), drawn by ofdrw"};
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, (int) Math.round(4 * ppm)));
    for (int i = 0; i < 2; i++) {
      g.drawImage(pages[i], xs[i], top, null);
      g.setColor(new Color(0x99, 0x99, 0x99));
      g.setStroke(new BasicStroke(1));
      g.drawRect(xs[i] - 1, top - 1, pages[i].getWidth() + 1, pages[i].getHeight() + 1);
      g.setColor(Color.DARK_GRAY);
      g.drawString(names[i], xs[i], top - (int) Math.round(2 * ppm));
    }
    g.dispose();
    ImageIO.write(toPalette(out), "PNG", new File(args[3]));
  }

  /**
   * The picture in 256 colours, half the bytes: a letter has only greys (black text
   * anti-aliased on white) and red tints (red text and rules on white, R 255 and G = B), so 128
   * steps of each lose nothing a reader of the docs can see; any other colour goes to its grey.
   */
  static BufferedImage toPalette(BufferedImage rgb) {
    byte[] r = new byte[256];
    byte[] gr = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 128; i++) {
      int v = Math.round(i * 255f / 127);
      r[i] = gr[i] = b[i] = (byte) v;
      r[128 + i] = (byte) 255;
      gr[128 + i] = b[128 + i] = (byte) v;
    }
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    BufferedImage out =
        new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, gr, b));
    byte[] data = ((java.awt.image.DataBufferByte) out.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = rgb.getRGB(x, y);
        int pr = (p >> 16) & 0xff;
        int pg = (p >> 8) & 0xff;
        int pb = p & 0xff;
        boolean red = pr > 200 && pr - pg > 24 && Math.abs(pg - pb) < 24;
        int level = red ? (pg + pb) / 2 : (pr * 299 + pg * 587 + pb * 114) / 1000;
        data[y * w + x] = (byte) ((red ? 128 : 0) + Math.round(level * 127f / 255));
      }
    }
    return out;
  }
}
