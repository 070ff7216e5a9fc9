package org.dpnas.cli.data;

import com.google.gson.JsonPrimitive;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.cli.CliException;
import org.dpnas.cli.train.TrainConfigs;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.data.SegDataset;
import org.dpnas.datasets.SegDatasets;

/** Opens segmentation splits for the {@code data} sub-verbs with the training defaults. */
final class DataSources {

    private DataSources() {}

    /** The {@code data} section of the training defaults with the given dataset and root. */
    static Config data(String dataset, Path root) {
        List<String> sets = new ArrayList<>();
        sets.add("data.dataset=" + new JsonPrimitive(dataset));
        if (root != null) {
            sets.add("data.root=" + new JsonPrimitive(root.toString()));
        }
        return ConfigLoader.load(TrainConfigs.defaults(), null, sets).sub("data");
    }

    /** Opens a segmentation split; a missing root for a real dataset is a usage error. */
    static SegDataset openSeg(String dataset, Path root, String split) {
        if (!SegDatasets.NAMES.contains(dataset)) {
            throw new CliException(
                    "unknown segmentation dataset '"
                            + dataset
                            + "': expected one of "
                            + String.join(", ", SegDatasets.NAMES));
        }
        if (!dataset.equals("synthetic") && root == null) {
            throw new CliException("dataset '" + dataset + "' needs --root DIR");
        }
        return SegDatasets.open(data(dataset, root), split, 0L);
    }
}
