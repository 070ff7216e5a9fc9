package org.dpnas.datasets;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.data.SegDataset;
import org.dpnas.datasets.seg.CamVidDataset;
import org.dpnas.datasets.seg.CityscapesDataset;
import org.dpnas.datasets.seg.VocSegDataset;
import org.dpnas.datasets.synthetic.SyntheticDataset;
import org.dpnas.datasets.synthetic.SyntheticSpec;

/**
 * Opens a segmentation dataset split by its command-line name ({@code synthetic}, {@code camvid},
 * {@code cityscapes}, {@code voc}) from the {@code data} section of a run's configuration.
 */
public final class SegDatasets {

    /** Names accepted by {@link #open}. */
    public static final List<String> NAMES = List.of("synthetic", "camvid", "cityscapes", "voc");

    private SegDatasets() {}

    /**
     * The defaults of every {@code data} section (dataset, root, splits, normalisation, workers,
     * bad-sample policy, augmentation, evaluation resize, synthetic data): the one place they live,
     * shared by {@code train} and every search.
     */
    public static JsonObject defaults() {
        return ConfigLoader.defaultsFromResource(
                SegDatasets.class, "/org/dpnas/datasets/data-defaults.json");
    }

    /**
     * A job's defaults with the shared {@code data} section placed right after the key {@code
     * after} (so that help and {@code config.resolved.json} list it where a reader expects it).
     *
     * @param own the job's own defaults, without a data section
     * @param after the key the data section follows
     * @return a new object
     */
    public static JsonObject withData(JsonObject own, String after) {
        JsonObject all = new JsonObject();
        for (var e : own.entrySet()) {
            all.add(e.getKey(), e.getValue());
            if (e.getKey().equals(after)) {
                all.add("data", defaults());
            }
        }
        return all;
    }

    /**
     * The number of classes a search space is built for: {@code space.num_classes} when set, else
     * the training split's (opening the dataset only to count them).
     *
     * @param config the resolved configuration, with {@code space}, {@code data} and {@code seed}
     * @return the class count
     */
    public static int spaceClasses(Config config) {
        Config s = config.sub("space");
        if (!s.isNull("num_classes")) {
            return s.getInt("num_classes");
        }
        Config data = config.sub("data");
        return open(data, data.getString("train_split"), config.getLong("seed")).numClasses();
    }

    /**
     * Opens a split.
     *
     * @param data the {@code data} section of the configuration
     * @param split the split name (e.g. {@code train}, {@code val})
     * @param runSeed the run's seed (the synthetic data derives from it unless {@code
     *     data.synthetic.seed} is set)
     * @return the dataset
     * @throws IllegalArgumentException for an unknown dataset or a missing root
     */
    public static SegDataset open(Config data, String split, long runSeed) {
        String name = data.getString("dataset");
        String root = data.getString("root");
        switch (name) {
            case "synthetic":
                return synthetic(data.sub("synthetic"), split, runSeed);
            case "camvid":
                return new CamVidDataset(root(name, root), split);
            case "cityscapes":
                return new CityscapesDataset(root(name, root), split);
            case "voc":
                return new VocSegDataset(root(name, root), split);
            default:
                throw new IllegalArgumentException(
                        "unknown dataset '"
                                + name
                                + "': expected one of "
                                + String.join(", ", NAMES));
        }
    }

    static Path root(String name, String root) {
        if (root == null) {
            throw new IllegalArgumentException(
                    "dataset '" + name + "' needs a root directory: give --root DIR (data.root)");
        }
        Path p = Path.of(root);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(
                    "data.root " + root + ": no such directory (dataset '" + name + "')");
        }
        return p;
    }

    private static SegDataset synthetic(Config c, String split, long runSeed) {
        long seed = c.isNull("seed") ? runSeed : c.getLong("seed");
        int size;
        switch (split) {
            case "train":
                size = c.getInt("train_size");
                break;
            case "val":
                size = c.getInt("val_size");
                break;
            default:
                throw new IllegalArgumentException(
                        "synthetic dataset: unknown split '" + split + "': expected train or val");
        }
        SyntheticSpec spec =
                SyntheticSpec.of(seed, split, size)
                        .withImageSize(c.getInt("height"), c.getInt("width"))
                        .withMaxObjects(c.getInt("max_objects"))
                        .withIgnoreBorder(c.getInt("ignore_border"));
        return new SyntheticDataset(spec);
    }
}
