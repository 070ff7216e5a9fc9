package org.dpnas.cli.train;

import ai.djl.nn.Block;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.search.GenotypeFiles;
import org.dpnas.common.search.Registry;

/**
 * Builds the segmentation network named in a run's {@code model} section through the {@link
 * Registry}: a registered hand-designed model, or the retrain network of a registered method's
 * genotype ({@code model.genotype}).
 */
public final class Models {

    /** The file name of the genotype copied into a run directory. */
    public static final String GENOTYPE_FILE = "genotype.json";

    private Models() {}

    /** Model names accepted by {@link #build}: the registered models, then the methods. */
    public static List<String> names() {
        return Registry.modelNames();
    }

    /**
     * Builds an uninitialised network.
     *
     * @param model the {@code model} section
     * @param numClasses number of classes of the dataset
     * @return the block
     * @throws IllegalArgumentException for an unknown model or a missing or invalid genotype file
     *     (the message names the file)
     */
    public static Block build(Config model, int numClasses) {
        return Registry.build(model, numClasses);
    }

    /**
     * The {@code model.name} a genotype file implies: its {@code method} field.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    public static String methodOf(Path genotype) {
        return Registry.methodOf(genotype).name();
    }

    /**
     * Pins the genotype of a run to its run directory, so that {@code eval model --run} rebuilds
     * the same network even if the original file changes or moves: copies the file atomically to
     * {@code <run>/genotype.json} and returns the configuration with {@code model.genotype}
     * pointing at the copy and {@code model.genotype_source} at the original, both absolute. A
     * model without a genotype, and a run whose genotype already is its own copy (a resumed run),
     * are returned unchanged.
     *
     * @param config the resolved configuration (the genotype has been validated by {@link #build})
     * @param runRoot the run directory
     * @return the configuration to record in {@code config.resolved.json}
     * @throws IOException when the copy cannot be written
     */
    public static Config pinGenotype(Config config, Path runRoot) throws IOException {
        if (!config.has("model.genotype") || config.isNull("model.genotype")) {
            return config;
        }
        Path source = Path.of(config.getString("model.genotype")).toAbsolutePath().normalize();
        Path target = runRoot.resolve(GENOTYPE_FILE).toAbsolutePath().normalize();
        if (source.equals(target)) {
            return config;
        }
        String text = GenotypeFiles.read(source);
        AtomicFiles.writeString(target, text);
        return config.withOverrides(
                List.of(
                        "model.genotype=" + new JsonPrimitive(target.toString()),
                        "model.genotype_source=" + new JsonPrimitive(source.toString())));
    }
}
