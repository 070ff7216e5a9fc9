package org.dpnas.nasfpn;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.datasets.augment.BadSampleDataset;
import org.dpnas.datasets.det.CocoDetDataset;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetProblems;
import org.dpnas.datasets.det.VocDetDataset;
import org.dpnas.datasets.synthetic.SyntheticDataset;
import org.dpnas.datasets.synthetic.SyntheticSpec;

/**
 * Opens the detection split a job's {@code data} section names: {@code synthetic} (the project's
 * shapes with one box per object), {@code voc-det} (PASCAL VOC layout, e.g. BCCD) or {@code coco}
 * (the official 2017 layout). A problem in the annotations or images of a split (malformed file,
 * unknown class, box outside the image, missing image) goes to the split's {@link DetProblems} sink
 * under {@code data.on_bad_sample}: {@code fail} (the default) stops with the file named, {@code
 * skip} leaves the annotation or image out and records it for {@code data_skips.json}.
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
        return open(data, split, runSeed, problems(data, System.err));
    }

    /**
     * Opens a split, sending each data problem to {@code problems}.
     *
     * @param data the {@code data} section
     * @param split the split name
     * @param runSeed the run's seed
     * @param problems the split's problem sink (see {@link #problems})
     */
    public static DetDataset open(Config data, String split, long runSeed, DetProblems problems) {
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
                return new VocDetDataset(root(name, data), split, null, false, null, problems);
            case "coco":
                return new CocoDetDataset(root(name, data), split, null, problems);
            default:
                throw new IllegalArgumentException(
                        "data.dataset '"
                                + name
                                + "' is not a detection dataset: expected one of "
                                + String.join(", ", NAMES));
        }
    }

    /**
     * The problem sink of one split under {@code data.on_bad_sample} ({@code fail} when the key is
     * absent).
     *
     * @param data the {@code data} section
     * @param console where a skipped problem is announced
     */
    public static DetProblems problems(Config data, PrintStream console) {
        String policy = data.has("on_bad_sample") ? data.getString("on_bad_sample") : "fail";
        return new DetProblems(BadSampleDataset.Policy.parse(policy), console);
    }

    /**
     * The run directory's {@code data_skips.json} report of a training run: one view per split.
     *
     * @param train the training split's sink
     * @param val the validation split's sink
     */
    public static JsonObject skipReport(DetProblems train, DetProblems val) {
        JsonObject o = new JsonObject();
        o.addProperty("skipped_reads", 0);
        o.add("train", train.report());
        o.add("val", val.report());
        return o;
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
