package org.dpnas.common.nn;

import ai.djl.nn.Block;
import org.dpnas.common.config.Config;
import org.dpnas.common.search.ModelFactory;

/**
 * Registers the suite's baseline network ({@link BaselineSegNet}) as the model {@code baseline}.
 */
public final class BaselineModel implements ModelFactory {

    @Override
    public String name() {
        return "baseline";
    }

    @Override
    public Block build(Config model, int numClasses) {
        return new BaselineSegNet(numClasses, model.getInt("width"));
    }

    @Override
    public String sizes(Config model) {
        return "width " + model.getInt("width");
    }
}
