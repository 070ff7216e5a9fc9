package org.dpnas.nasfpn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.datasets.det.CocoDetDataset;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.VocDetDataset;
import org.dpnas.datasets.synthetic.SyntheticDataset;
import org.dpnas.datasets.synthetic.SyntheticSpec;

/**
 * Opens the detection split a job's {@code data} section names: {@code synthetic} (the project's
 * shapes with one box per object), {@code voc-det} (PASCAL VOC layout, e.g. BCCD) or {@code coco}
 * (the official 2017 layout).
 */
public final class DetData {

    /** The dataset names {@code data.dataset} accepts. */
    public static final List<String> NAMES = List.of("synthetic", "voc-det", "coco");

    private DetData() {}

    /**
     * Opens a split.
     *
     * @param data the {@code data} section ({@code dataset}, {@code root}, {@code synthetic})
     * @param split the split name
     * @param runSeed the run's seed (the synthetic images derive from it)
     * @throws IllegalArgumentException for an unknown dataset, a missing root or an unknown
     *     synthetic split, naming the key
     */
    public static DetDataset open(Config data, String split, long runSeed) {
        String name = data.getString("dataset");
        switch (name) {
            case "synthetic":
                Config s = data.sub("synthetic");
                int size;
                if (split.equals("train")) {
                    size = s.getInt("train_size");
                } else if (split.equals("val")) {
                    size = s.getInt("val_size");
                } else {
                    throw new IllegalArgumentException(
                            "synthetic detection data: unknown split '"
                                    + split
                                    + "': expected train or val");
                }
                int side = s.getInt("side");
                return new SyntheticDetDataset(
                        new SyntheticDataset(
                                new SyntheticSpec(
                                        runSeed,
                                        split,
                                        size,
                                        side,
                                        side,
                                        SyntheticSpec.DEFAULT_MAX_OBJECTS,
                                        SyntheticSpec.DEFAULT_IGNORE_BORDER)));
            case "voc-det":
                return new VocDetDataset(root(name, data), split);
            case "coco":
                return new CocoDetDataset(root(name, data), split);
            default:
                throw new IllegalArgumentException(
                        "data.dataset '"
                                + name
                                + "' is not a detection dataset: expected one of "
                                + String.join(", ", NAMES));
        }
    }

    /**
     * The dataset root: {@code data.root} as given, or, when that is a relative path that does not
     * exist from the working directory, relative to the dpnas home (so a preset's {@code
     * ../shared/data/bccd} works from any directory the {@code dpnas} script is started in).
     */
    static Path root(String name, Config data) {
        if (data.isNull("root")) {
            throw new IllegalArgumentException(
                    "dataset '" + name + "' needs a root directory: give --root DIR (data.root)");
        }
        Path p = Path.of(data.getString("root"));
        if (!Files.isDirectory(p) && !p.isAbsolute()) {
            Path home = Path.of(System.getProperty("dpnas.home", "."));
            Path alt = home.resolve(p).normalize();
            if (Files.isDirectory(alt)) {
                return alt;
            }
        }
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(
                    "data.root " + p + ": no such directory (dataset '" + name + "')");
        }
        return p;
    }
}
