package org.dpnas.cli.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Writes tiny dataset folders (CamVid, VOC detection layouts) for the CLI tests. */
public final class TinyData {

    private TinyData() {}

    /** Writes an RGB PNG of pseudo-random colours. */
    public static void rgb(Path file, int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        new Random(seed).nextBytes(((DataBufferByte) img.getRaster().getDataBuffer()).getData());
        write(img, file, "png");
    }

    /** Writes a grayscale PNG whose pixel i holds {@code values.get(i % size)}. */
    public static void gray(Path file, int w, int h, int... values) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) values[i % values.length];
        }
        write(img, file, "png");
    }

    private static void write(BufferedImage img, Path file, String format) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(img, format, file.toFile())) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a CamVid-layout split of {@code n} good 24x32 samples with labels cycling through
     * 0..11 (11 is void), and returns the list lines so a test can add broken entries.
     */
    public static List<String> camvid(Path root, String split, int n) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = split + i + ".png";
            rgb(root.resolve(split).resolve(name), 32, 24, i);
            gray(
                    root.resolve(split + "annot").resolve(name),
                    32,
                    24,
                    0,
                    1,
                    2,
                    3,
                    4,
                    5,
                    6,
                    7,
                    8,
                    9,
                    10,
                    11,
                    i % 11);
            lines.add(split + "/" + name + " " + split + "annot/" + name);
        }
        writeList(root, split, lines);
        return lines;
    }

    /** Writes {@code ROOT/SPLIT.txt}. */
    public static void writeList(Path root, String split, List<String> lines) {
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve(split + ".txt"), String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
