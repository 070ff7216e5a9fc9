package org.dpnas.cli.train;

import ai.djl.nn.Block;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.nn.BaselineSegNet;

/** Builds the segmentation network named in a run's {@code model} section. */
public final class Models {

    /** Model names accepted by {@link #build}. */
    public static final List<String> NAMES = List.of("baseline");

    private Models() {}

    /**
     * Builds an uninitialised network.
     *
     * @param model the {@code model} section
     * @param numClasses number of classes of the dataset
     * @return the block
     */
    public static Block build(Config model, int numClasses) {
        String name = model.getString("name");
        if ("baseline".equals(name)) {
            return new BaselineSegNet(numClasses, model.getInt("width"));
        }
        throw new IllegalArgumentException(
                "unknown model '" + name + "': expected one of " + String.join(", ", NAMES));
    }
}
