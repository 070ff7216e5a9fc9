package org.dpnas.datasets.seg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PASCAL VOC 2012 segmentation in the official layout ({@code VOCdevkit/VOC2012}): {@code
 * JPEGImages/ID.jpg}, {@code SegmentationClass/ID.png} and {@code
 * ImageSets/Segmentation/SPLIT.txt}, with 21 classes (background plus the 20 object classes).
 *
 * <p>The palette PNGs are read as palette indices (0..20, and 255 for the object borders, kept as
 * {@link org.dpnas.common.data.SegSample#IGNORE}); any other value is an error naming the file.
 *
 * <p>Split names ending in {@code _aug} (such as {@code train_aug}) select the SBD-augmented set:
 * they need {@code SegmentationClassAug/} (single-channel index PNGs) next to the list file {@code
 * ImageSets/Segmentation/SPLIT.txt}. Each list line is either an id or an "image label" pair of
 * paths relative to the root (a leading {@code /} is ignored), as in the DeepLab lists.
 */
public final class VocSegDataset extends PairedSegDataset {

    /** Background plus the 20 VOC object classes, indexed by train id. */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "background",
                    "aeroplane",
                    "bicycle",
                    "bird",
                    "boat",
                    "bottle",
                    "bus",
                    "car",
                    "cat",
                    "chair",
                    "cow",
                    "diningtable",
                    "dog",
                    "horse",
                    "motorbike",
                    "person",
                    "pottedplant",
                    "sheep",
                    "sofa",
                    "train",
                    "tvmonitor");

    /** The name of the folder holding the SBD-augmented label maps. */
    public static final String AUG_LABEL_DIR = "SegmentationClassAug";

    /**
     * Lists the split; no pixel data is read until {@link #get(int)}.
     *
     * @param root the {@code VOC2012} folder (the one holding {@code JPEGImages/})
     * @param split {@code train}, {@code val}, {@code trainval} or an {@code *_aug} list such as
     *     {@code train_aug}
     * @throws DatasetException naming the file if the list is missing, a listed image is missing or
     *     an image has no label file
     */
    public VocSegDataset(Path root, String split) {
        super(
                root,
                split,
                list(requireRoot(root, "VOC"), split),
                CLASS_NAMES,
                LabelLut.identity(CLASS_NAMES.size()));
    }

    private static List<Entry> list(Path root, String split) {
        Path jpegs = root.resolve("JPEGImages");
        if (!Files.isDirectory(jpegs)) {
            throw new DatasetException(
                    jpegs, "folder not found (root should be the VOC2012 folder of VOCdevkit)");
        }
        boolean aug = split.endsWith("_aug");
        Path labelDir = root.resolve(aug ? AUG_LABEL_DIR : "SegmentationClass");
        if (!Files.isDirectory(labelDir)) {
            throw new DatasetException(
                    labelDir,
                    aug
                            ? "folder not found: split '"
                                    + split
                                    + "' needs the SBD-augmented labels"
                            : "folder not found");
        }
        Path listFile = root.resolve("ImageSets").resolve("Segmentation").resolve(split + ".txt");
        List<String> lines = readListFile(listFile);
        List<Entry> entries = new ArrayList<>(lines.size());
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            String[] parts = line.split("\\s+");
            Path image;
            Path label;
            if (parts.length == 1) {
                image = jpegs.resolve(parts[0] + ".jpg");
                label = labelDir.resolve(parts[0] + ".png");
            } else if (parts.length == 2) {
                image = root.resolve(stripSlash(parts[0])).normalize();
                label = root.resolve(stripSlash(parts[1])).normalize();
            } else {
                throw new DatasetException(
                        listFile,
                        "entry "
                                + lineNo
                                + " should be an id or \"image label\", got \""
                                + line
                                + "\"");
            }
            String name = image.getFileName().toString();
            int dot = name.lastIndexOf('.');
            entries.add(new Entry(dot > 0 ? name.substring(0, dot) : name, image, label));
        }
        return entries;
    }

    private static String stripSlash(String p) {
        String s = p.replace('\\', '/');
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        return s;
    }
}
