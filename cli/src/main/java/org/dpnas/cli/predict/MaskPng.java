package org.dpnas.cli.predict;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dpnas.common.run.AtomicFiles;

/**
 * Writes a label mask as an 8-bit palette PNG: pixel values are the class indices (so {@code dpnas
 * eval seg} and PIL read them back as labels) and the palette is PASCAL VOC's colour map, so the
 * file is also a picture.
 */
public final class MaskPng {

    private MaskPng() {}

    /** PASCAL VOC's colour of label {@code i}: the bits of {@code i} spread over R, G and B. */
    static int[] vocColour(int i) {
        int r = 0;
        int g = 0;
        int b = 0;
        int c = i;
        for (int j = 0; j < 8; j++) {
            r |= ((c >> 0) & 1) << (7 - j);
            g |= ((c >> 1) & 1) << (7 - j);
            b |= ((c >> 2) & 1) << (7 - j);
            c >>= 3;
        }
        return new int[] {r, g, b};
    }

    /**
     * Writes {@code mask} (labels 0–255, row-major rows) atomically to {@code out}.
     *
     * @throws IllegalArgumentException for a label outside 0–255
     */
    public static void write(int[][] mask, Path out) throws IOException {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            int[] c = vocColour(i);
            r[i] = (byte) c[0];
            g[i] = (byte) c[1];
            b[i] = (byte) c[2];
        }
        int h = mask.length;
        int w = mask[0].length;
        BufferedImage img =
                new BufferedImage(
                        w,
                        h,
                        BufferedImage.TYPE_BYTE_INDEXED,
                        new IndexColorModel(8, 256, r, g, b));
        WritableRaster raster = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = mask[y][x];
                if (v < 0 || v > 255) {
                    throw new IllegalArgumentException(
                            "label " + v + " at (" + y + ", " + x + ") does not fit a PNG palette");
                }
                raster.setSample(x, y, 0, v);
            }
        }
        AtomicFiles.write(
                out,
                o -> {
                    if (!ImageIO.write(img, "png", o)) {
                        throw new IOException("no PNG writer");
                    }
                });
    }
}
