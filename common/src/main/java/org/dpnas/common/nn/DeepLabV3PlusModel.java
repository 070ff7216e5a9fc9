package org.dpnas.common.nn;

import ai.djl.nn.Block;
import org.dpnas.common.config.Config;
import org.dpnas.common.search.ModelFactory;

/**
 * Registers DeepLabv3+ ({@link DeepLabV3Plus}, Chen et al., ECCV 2018) on a torchvision backbone as
 * the model {@code deeplabv3plus}, the hand-designed network searched architectures compete with.
 */
public final class DeepLabV3PlusModel implements ModelFactory {

    @Override
    public String name() {
        return "deeplabv3plus";
    }

    @Override
    public Block build(Config model, int numClasses) {
        return new DeepLabV3Plus(
                model.getString("backbone"), model.getInt("output_stride"), numClasses);
    }

    @Override
    public String sizes(Config model) {
        return "backbone "
                + model.getString("backbone")
                + ", output stride "
                + model.getInt("output_stride");
    }
}
