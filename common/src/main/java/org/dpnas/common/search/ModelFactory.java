package org.dpnas.common.search;

import ai.djl.nn.Block;
import org.dpnas.common.config.Config;

/**
 * A hand-designed network that {@code dpnas train --model NAME} can build (the baseline, a
 * DeepLabv3+), found at run time with {@link java.util.ServiceLoader} from {@code
 * META-INF/services/org.dpnas.common.search.ModelFactory}.
 */
public interface ModelFactory {

    /** The name of {@code model.name}. */
    String name();

    /**
     * Builds the uninitialised network of a {@code model} section.
     *
     * @throws IllegalArgumentException naming the key that is invalid
     */
    Block build(Config model, int numClasses);

    /** Size words for a cost line (e.g. "width 32"). */
    default String sizes(Config model) {
        return "";
    }
}
