package org.dpnas.datasets.seg;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CamVid in the SegNet layout: {@code ROOT/SPLIT.txt} lists "image label" path pairs such as {@code
 * train/0001TP_006690.png trainannot/0001TP_006690.png}, labels are 8-bit class indices.
 *
 * <p>Paths in the list are resolved against the given root; absolute paths from the original
 * distribution ({@code /SegNet/CamVid/train/...}) are mapped to the root by keeping the part after
 * the last {@code /CamVid/}, or else their last two components. Classes 0-10 are kept, 11 (void)
 * becomes {@link org.dpnas.common.data.SegSample#IGNORE}; 255 is kept as ignore, anything else is
 * an error naming the file.
 */
public final class CamVidDataset extends PairedSegDataset {

    /** The 11 CamVid classes of the SegNet benchmark, indexed by train id. */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "Sky",
                    "Building",
                    "Pole",
                    "Road",
                    "Pavement",
                    "Tree",
                    "SignSymbol",
                    "Fence",
                    "Car",
                    "Pedestrian",
                    "Bicyclist");

    /** Raw label value of unlabelled (void) pixels in the SegNet annotations. */
    public static final int VOID = 11;

    /**
     * Lists the split; no pixel data is read until {@link #get(int)}.
     *
     * @param root directory holding {@code train.txt}, {@code val.txt}, {@code test.txt}
     * @param split list file name without {@code .txt}: {@code train}, {@code val} or {@code test}
     * @throws DatasetException naming the file if the list is missing or malformed, or a listed
     *     image or label file does not exist
     */
    public CamVidDataset(Path root, String split) {
        super(root, split, list(requireRoot(root, "CamVid"), split), CLASS_NAMES, lut());
    }

    private static LabelLut lut() {
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            table[v] = v;
        }
        table[VOID] = 255;
        return LabelLut.of(table, CLASS_NAMES.size());
    }

    private static List<Entry> list(Path root, String split) {
        Path listFile = root.resolve(split + ".txt");
        List<String> lines = readListFile(listFile);
        List<Entry> entries = new ArrayList<>(lines.size());
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new DatasetException(
                        listFile,
                        "entry " + lineNo + " should be \"image label\", got \"" + line + "\"");
            }
            Path image = resolve(root, parts[0]);
            Path label = resolve(root, parts[1]);
            String name = image.getFileName().toString();
            int dot = name.lastIndexOf('.');
            entries.add(new Entry(dot > 0 ? name.substring(0, dot) : name, image, label));
        }
        return entries;
    }

    /** Maps a path from a list file to a file under the root. */
    static Path resolve(Path root, String listed) {
        String p = listed.replace('\\', '/');
        if (p.startsWith("/")) {
            int at = p.lastIndexOf("/CamVid/");
            if (at >= 0) {
                p = p.substring(at + "/CamVid/".length());
            } else {
                String[] parts = p.split("/");
                p =
                        parts.length >= 2
                                ? parts[parts.length - 2] + "/" + parts[parts.length - 1]
                                : parts[parts.length - 1];
            }
        } else if (p.startsWith("./")) {
            p = p.substring(2);
        }
        return root.resolve(p).normalize();
    }
}
