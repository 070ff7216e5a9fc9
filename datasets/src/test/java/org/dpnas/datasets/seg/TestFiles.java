package org.dpnas.datasets.seg;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dpnas.common.testing.RealData;

/** Helpers for tests: locating the shared real data and writing small image files. */
public final class TestFiles {

    private TestFiles() {}

    /** The shared data folder, {@code <repository root>/../shared/data}; it may not exist. */
    public static Path sharedData() {
        return RealData.dir();
    }

    /** Writes an RGB PNG (3-byte BGR raster) whose pixel i has colour rgb[3i..3i+2]. */
    public static Path writeRgbPng(Path file, int width, int height, byte[] rgb) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int i = 0; i < width * height; i++) {
            int c =
                    (rgb[3 * i] & 0xFF) << 16
                            | (rgb[3 * i + 1] & 0xFF) << 8
                            | rgb[3 * i + 2] & 0xFF;
            img.setRGB(i % width, i / width, c);
        }
        return write(img, "png", file);
    }

    /** Writes an RGB PNG of deterministic pseudo-random colours. */
    public static Path writeRgbPng(Path file, int width, int height) {
        return writeRgbPng(file, width, height, pattern(width * height * 3, width + 31 * height));
    }

    /** Writes an 8-bit grayscale PNG with the given samples, row-major. */
    public static Path writeGrayPng(Path file, int width, int height, int... values) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) values[i];
        }
        return write(img, "png", file);
    }

    /**
     * Writes an 8-bit palette PNG with the PASCAL VOC colour map whose pixels hold the given
     * palette indices.
     */
    public static Path writeVocPalettePng(Path file, int width, int height, int... indices) {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            int c = vocColour(i);
            r[i] = (byte) (c >> 16);
            g[i] = (byte) (c >> 8);
            b[i] = (byte) c;
        }
        IndexColorModel icm = new IndexColorModel(8, 256, r, g, b);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, icm);
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) indices[i];
        }
        return write(img, "png", file);
    }

    /** The VOC colour of palette index {@code i} as 0xRRGGBB (bit-interleaved colour map). */
    public static int vocColour(int i) {
        int r = 0;
        int g = 0;
        int b = 0;
        int c = i;
        for (int j = 7; j >= 0; j--) {
            r |= (c & 1) << j;
            g |= ((c >> 1) & 1) << j;
            b |= ((c >> 2) & 1) << j;
            c >>= 3;
        }
        return r << 16 | g << 8 | b;
    }

    /** Writes a JPEG of deterministic colours. */
    public static Path writeJpeg(Path file, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 128);
            }
        }
        return write(img, "jpg", file);
    }

    /** Writes an image with ImageIO, creating parent folders. */
    public static Path write(BufferedImage img, String format, Path file) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(img, format, file.toFile())) {
                throw new IllegalStateException("no writer for " + format);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts a file down to {@code keep} of its bytes. */
    public static void truncate(Path file, int keep) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(bytes, Math.min(keep, bytes.length)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes text, creating parent folders. */
    public static Path writeText(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deterministic pseudo-random bytes. */
    public static byte[] pattern(int n, long seed) {
        byte[] out = new byte[n];
        new java.util.Random(seed).nextBytes(out);
        return out;
    }
}
