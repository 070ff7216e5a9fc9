package org.dpnas.datasets.seg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Cityscapes fine annotations in the official layout: {@code
 * leftImg8bit/SPLIT/CITY/X_leftImg8bit.png} paired with {@code
 * gtFine/SPLIT/CITY/X_gtFine_labelIds.png}.
 *
 * <p>Label ids are mapped to the 19 official train ids with a 256-entry table (ids 7, 8, 11, 12,
 * 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33 become 0..18); every other id,
 * including the license plate (-1, which never reaches an 8-bit PNG as a valid class), becomes
 * {@link org.dpnas.common.data.SegSample#IGNORE}. Samples are ordered by city, then file name.
 */
public final class CityscapesDataset extends PairedSegDataset {

    /** The 19 evaluation classes, indexed by train id. */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "road",
                    "sidewalk",
                    "building",
                    "wall",
                    "fence",
                    "pole",
                    "traffic light",
                    "traffic sign",
                    "vegetation",
                    "terrain",
                    "sky",
                    "person",
                    "rider",
                    "car",
                    "truck",
                    "bus",
                    "train",
                    "motorcycle",
                    "bicycle");

    /** The label ids that become train ids 0..18, in train id order. */
    private static final int[] EVAL_LABEL_IDS = {
        7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33
    };

    /** The splits of the fine annotations. */
    public static final Set<String> SPLITS = Set.of("train", "val", "test");

    private static final String IMAGE_SUFFIX = "_leftImg8bit.png";
    private static final String LABEL_SUFFIX = "_gtFine_labelIds.png";

    private static final int[] TABLE = buildTable();

    /**
     * Lists the split; no pixel data is read until {@link #get(int)}.
     *
     * @param root the Cityscapes root holding {@code leftImg8bit/} and {@code gtFine/}
     * @param split {@code train}, {@code val} or {@code test}
     * @throws DatasetException naming the directory or files if the split folder is missing, holds
     *     no images, or an image has no labelIds file
     */
    public CityscapesDataset(Path root, String split) {
        super(
                root,
                split,
                list(requireRoot(root, "Cityscapes"), split),
                CLASS_NAMES,
                LabelLut.of(TABLE, CLASS_NAMES.size()));
    }

    /** The train id of a Cityscapes label id ({@code -1..255}), 255 for ignored ids. */
    public static int trainId(int labelId) {
        return labelId < 0 || labelId > 255 ? 255 : TABLE[labelId];
    }

    private static int[] buildTable() {
        int[] table = new int[256];
        Arrays.fill(table, 255);
        for (int t = 0; t < EVAL_LABEL_IDS.length; t++) {
            table[EVAL_LABEL_IDS[t]] = t;
        }
        return table;
    }

    private static List<Entry> list(Path root, String split) {
        if (!SPLITS.contains(split)) {
            throw new IllegalArgumentException(
                    "unknown Cityscapes split '" + split + "', expected train, val or test");
        }
        Path imageDir = root.resolve("leftImg8bit").resolve(split);
        Path labelDir = root.resolve("gtFine").resolve(split);
        if (!Files.isDirectory(imageDir)) {
            throw new DatasetException(imageDir, "Cityscapes image folder not found");
        }
        if (!Files.isDirectory(labelDir)) {
            throw new DatasetException(labelDir, "Cityscapes gtFine folder not found");
        }
        List<Path> images;
        try (Stream<Path> walk = Files.walk(imageDir, 2)) {
            images =
                    walk.filter(p -> p.getFileName().toString().endsWith(IMAGE_SUFFIX))
                            .filter(Files::isRegularFile)
                            .sorted()
                            .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException(imageDir, "cannot list images: " + e, e);
        }
        if (images.isEmpty()) {
            throw new DatasetException(imageDir, "no CITY/*" + IMAGE_SUFFIX + " files found");
        }
        List<Entry> entries = new ArrayList<>(images.size());
        for (Path image : images) {
            String name = image.getFileName().toString();
            String stem = name.substring(0, name.length() - IMAGE_SUFFIX.length());
            Path city = imageDir.relativize(image).getParent();
            Path dir = city == null ? labelDir : labelDir.resolve(city.toString());
            Path label = dir.resolve(stem + LABEL_SUFFIX);
            entries.add(new Entry(stem, image, label));
        }
        return entries;
    }
}
