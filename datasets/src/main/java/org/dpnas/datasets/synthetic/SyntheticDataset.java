package org.dpnas.datasets.synthetic;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.dpnas.common.data.Box;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;

/**
 * A procedurally generated split of coloured shapes (disk, square, triangle, ring) on textured
 * backgrounds, for both semantic segmentation and box detection.
 *
 * <p><b>Content.</b> Each image has a background made of a low-frequency gradient between two muted
 * colours, stripes or a checkerboard with random period and angle, and per-pixel noise. On top,
 * {@code 1..maxObjects} shapes are drawn in order, later ones occluding earlier ones; a ring's hole
 * shows whatever lies beneath it. A shape's extent is 10%-45% of the image's short side, larger
 * sizes being more likely. Each class has a base hue (disk red, square yellow-green, triangle cyan,
 * ring violet) jittered by up to 18 degrees, at high saturation, with shading and per-pixel noise;
 * one object in ten gets a random hue instead, so colour is a strong but imperfect cue and shape
 * has to be learnt too.
 *
 * <p><b>Labels.</b> Train ids are {@code 0} background, {@code 1} disk, {@code 2} square, {@code 3}
 * triangle, {@code 4} ring ({@link #CLASS_NAMES}). With {@code ignoreBorder = b > 0}, every object
 * pixel that has a pixel of another object or of the background within Chebyshev distance {@code b}
 * is labelled {@link SegSample#IGNORE}: the ignore band lies on the inside of each visible outline
 * (the image edge does not count as an outline), so background pixels are never ignored.
 *
 * <p><b>Boxes.</b> {@link #boxes(int)} gives one box per object that has at least one visible
 * pixel, tight around all pixels where that object is the topmost shape, including its ignore band
 * (so in an image with one object the box is exactly the bounding box of the non-zero labels).
 * Detection class ids are shape class ids minus one ({@link #DETECTION_CLASS_NAMES}).
 *
 * <p><b>Determinism.</b> Sample {@code i} is a pure function of seed, split name, {@code i}, image
 * height and width and {@code maxObjects}, derived from a per-sample random generator; samples are
 * generated on demand and nothing is cached, so this class is immutable and thread-safe.
 */
public final class SyntheticDataset implements SegDataset {

    /** Segmentation class names indexed by train id. */
    public static final List<String> CLASS_NAMES =
            List.of("background", "disk", "square", "triangle", "ring");

    /** Detection class names indexed by {@link Box#classId()} (segmentation id minus one). */
    public static final List<String> DETECTION_CLASS_NAMES =
            List.of("disk", "square", "triangle", "ring");

    private final SyntheticSpec spec;

    /** Creates the split described by {@code spec}; nothing is generated until asked for. */
    public SyntheticDataset(SyntheticSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec must not be null");
    }

    /** Creates a split of {@code size} images with the default image size and object count. */
    public static SyntheticDataset of(long seed, String split, int size) {
        return new SyntheticDataset(SyntheticSpec.of(seed, split, size));
    }

    /** The spec this split was built from. */
    public SyntheticSpec spec() {
        return spec;
    }

    @Override
    public int size() {
        return spec.size();
    }

    @Override
    public List<String> classNames() {
        return CLASS_NAMES;
    }

    /**
     * The id of sample {@code index}: split name and zero-padded index, e.g. {@code val_000007}.
     */
    public String sampleId(int index) {
        checkIndex(index);
        return String.format("%s_%06d", spec.split(), index);
    }

    @Override
    public SegSample get(int index) {
        checkIndex(index);
        SyntheticRenderer.Rendering r = SyntheticRenderer.render(spec, index);
        return new SegSample(sampleId(index), spec.height(), spec.width(), r.rgb(), r.label());
    }

    /** Returns the boxes of the visible objects of sample {@code index}, in drawing order. */
    public List<Box> boxes(int index) {
        checkIndex(index);
        return boxesOf(SyntheticRenderer.render(spec, index));
    }

    /** Returns sample {@code index} with its boxes, rendering the image only once. */
    public Annotated annotated(int index) {
        checkIndex(index);
        SyntheticRenderer.Rendering r = SyntheticRenderer.render(spec, index);
        SegSample sample =
                new SegSample(sampleId(index), spec.height(), spec.width(), r.rgb(), r.label());
        return new Annotated(sample, boxesOf(r));
    }

    /**
     * Writes the whole split under {@code dir}: {@code images/<id>.png} (8-bit RGB), {@code
     * labels/<id>.png} (8-bit grayscale holding raw train ids, including 255) and {@code
     * <split>.txt} with one id per line. Each file is written to a temporary name in its target
     * directory and then renamed, so readers never see a partial file.
     *
     * @return the path of the written {@code <split>.txt}
     * @throws IOException if a directory or file cannot be written
     */
    public Path writeTo(Path dir) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path labels = Files.createDirectories(dir.resolve("labels"));
        int h = spec.height();
        int w = spec.width();
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < size(); i++) {
            SegSample s = get(i);
            BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            rgb.getRaster().setDataElements(0, 0, w, h, s.rgb());
            writePng(rgb, images.resolve(s.id() + ".png"));
            BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            gray.getRaster().setDataElements(0, 0, w, h, s.label());
            writePng(gray, labels.resolve(s.id() + ".png"));
            list.append(s.id()).append('\n');
        }
        Path listFile = dir.resolve(spec.split() + ".txt");
        Path tmp = Files.createTempFile(dir, "." + spec.split(), ".tmp");
        try {
            Files.writeString(tmp, list, StandardCharsets.UTF_8);
            moveAtomically(tmp, listFile);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return listFile;
    }

    private static void writePng(BufferedImage image, Path target) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available for " + target);
            }
            moveAtomically(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private List<Box> boxesOf(SyntheticRenderer.Rendering r) {
        int h = spec.height();
        int w = spec.width();
        int n = r.objectClass().length;
        int[] minX = new int[n];
        int[] minY = new int[n];
        int[] maxX = new int[n];
        int[] maxY = new int[n];
        Arrays.fill(minX, Integer.MAX_VALUE);
        Arrays.fill(minY, Integer.MAX_VALUE);
        Arrays.fill(maxX, -1);
        Arrays.fill(maxY, -1);
        byte[] instance = r.instance();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int k = instance[y * w + x];
                if (k > 0) {
                    int j = k - 1;
                    minX[j] = Math.min(minX[j], x);
                    maxX[j] = Math.max(maxX[j], x);
                    minY[j] = Math.min(minY[j], y);
                    maxY[j] = Math.max(maxY[j], y);
                }
            }
        }
        List<Box> boxes = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            if (maxX[j] >= 0) {
                boxes.add(
                        new Box(
                                minX[j],
                                minY[j],
                                maxX[j] + 1,
                                maxY[j] + 1,
                                r.objectClass()[j] - 1));
            }
        }
        return List.copyOf(boxes);
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= spec.size()) {
            throw new IndexOutOfBoundsException(
                    "index "
                            + index
                            + " out of range 0.."
                            + (spec.size() - 1)
                            + " of split '"
                            + spec.split()
                            + "'");
        }
    }

    /**
     * One sample together with its object boxes.
     *
     * @param sample the image and label map
     * @param boxes the visible objects' boxes, in drawing order
     */
    public record Annotated(SegSample sample, List<Box> boxes) {

        /** Copies the box list so the record is immutable. */
        public Annotated {
            Objects.requireNonNull(sample, "sample must not be null");
            boxes = List.copyOf(boxes);
        }
    }
}
