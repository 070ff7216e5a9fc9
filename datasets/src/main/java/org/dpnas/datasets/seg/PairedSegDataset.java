package org.dpnas.datasets.seg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;

/**
 * Shared machinery of the file-based segmentation datasets: an immutable list of (id, image file,
 * label file) triples fixed at construction, decoded lazily and statelessly in {@link #get(int)}.
 */
abstract class PairedSegDataset implements SegDataset {

    /** One sample on disk. */
    record Entry(String id, Path image, Path label) {}

    private final Path root;
    private final String split;
    private final List<Entry> entries;
    private final List<String> classNames;
    private final LabelLut lut;

    PairedSegDataset(
            Path root, String split, List<Entry> entries, List<String> classNames, LabelLut lut) {
        this.root = root;
        this.split = split;
        this.entries = List.copyOf(entries);
        this.classNames = List.copyOf(classNames);
        this.lut = lut;
    }

    /** Fails with a message naming the root when it is not a directory. */
    static Path requireRoot(Path root, String datasetName) {
        Objects.requireNonNull(root, "root");
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root, datasetName + " root directory not found");
        }
        return root;
    }

    /** Fails with a message naming both files when an image has no label file. */
    static void requireLabel(Path image, Path label) {
        if (!Files.isRegularFile(label)) {
            throw new DatasetException(label, "label file missing for image " + image);
        }
    }

    /** Fails with a message naming the image file when it does not exist. */
    static void requireImage(Path image) {
        if (!Files.isRegularFile(image)) {
            throw new DatasetException(image, "image file not found");
        }
    }

    /**
     * Reads a split list file: non-blank lines, trimmed, in order.
     *
     * @throws DatasetException naming the file if it is missing, unreadable or has no entries
     */
    static List<String> readListFile(Path listFile) {
        if (!Files.isRegularFile(listFile)) {
            throw new DatasetException(listFile, "split list file not found");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(listFile, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException(listFile, "cannot read split list file: " + e, e);
        }
        List<String> kept = new ArrayList<>(lines.size());
        for (String line : lines) {
            String t = line.strip();
            if (!t.isEmpty()) {
                kept.add(t);
            }
        }
        if (kept.isEmpty()) {
            throw new DatasetException(listFile, "split list file has no entries");
        }
        return kept;
    }

    /** The dataset root this split was read from. */
    public Path root() {
        return root;
    }

    /** The split name given at construction. */
    public String split() {
        return split;
    }

    /** The image file of sample {@code index}. */
    public Path imagePath(int index) {
        return entries.get(index).image();
    }

    /** The label file of sample {@code index}. */
    public Path labelPath(int index) {
        return entries.get(index).label();
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Decodes sample {@code index}: the image as RGB, the label as raw samples mapped to train ids.
     * Missing files are found here, per sample, not when the split is listed, so that {@code
     * --on-bad-sample skip} covers them like any other bad sample.
     *
     * @throws DatasetException naming the file if a file is missing, unreadable or truncated, if
     *     the label size differs from the image size, or if a label value is out of range after
     *     mapping
     */
    @Override
    public SegSample get(int index) {
        Entry e = entries.get(Objects.checkIndex(index, entries.size()));
        requireImage(e.image());
        requireLabel(e.image(), e.label());
        ImageDecoder.RgbImage image = ImageDecoder.readRgb(e.image());
        ImageDecoder.GrayImage label = ImageDecoder.readGray(e.label());
        if (label.width() != image.width() || label.height() != image.height()) {
            throw new DatasetException(
                    e.label(),
                    "label size "
                            + label.width()
                            + "x"
                            + label.height()
                            + " differs from image size "
                            + image.width()
                            + "x"
                            + image.height()
                            + " (width x height) of "
                            + e.image());
        }
        byte[] ids = lut.apply(label.values(), label.width(), e.label());
        return new SegSample(e.id(), image.height(), image.width(), image.rgb(), ids);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName()
                + "["
                + root
                + ", split="
                + split
                + ", "
                + entries.size()
                + " samples]";
    }
}
