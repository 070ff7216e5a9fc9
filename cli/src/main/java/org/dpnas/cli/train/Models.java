package org.dpnas.cli.train;

import ai.djl.nn.Block;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.autodeeplab.retrain.AutoDeepLabNet;
import org.dpnas.common.config.Config;
import org.dpnas.common.nn.BaselineSegNet;
import org.dpnas.common.nn.DeepLabV3Plus;
import org.dpnas.common.run.AtomicFiles;

/**
 * Builds the segmentation network named in a run's {@code model} section: the suite's baseline, or
 * the retrained Auto-DeepLab network of a searched genotype (Liu et al., CVPR 2019, Sec. 4.2).
 */
public final class Models {

    /** Model names accepted by {@link #build}. */
    public static final List<String> NAMES = List.of("baseline", "autodeeplab", "deeplabv3plus");

    /** The file name of the genotype copied into a run directory. */
    public static final String GENOTYPE_FILE = "genotype.json";

    private Models() {}

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
        String name = model.getString("name");
        if ("baseline".equals(name)) {
            return new BaselineSegNet(numClasses, model.getInt("width"));
        }
        if ("deeplabv3plus".equals(name)) {
            return new DeepLabV3Plus(
                    model.getString("backbone"), model.getInt("output_stride"), numClasses);
        }
        if ("autodeeplab".equals(name)) {
            AutoDeepLabGenotype g = readGenotype(genotypePath(model));
            AutoDeepLabNet.Settings s = AutoDeepLabNet.Settings.of(g, numClasses);
            if (!model.isNull("filter_multiplier")) {
                s = s.withFilterMultiplier(model.getInt("filter_multiplier"));
            }
            if (!model.isNull("block_multiplier")) {
                s = s.withBlockMultiplier(model.getInt("block_multiplier"));
            }
            return new AutoDeepLabNet(g, s);
        }
        throw new IllegalArgumentException(
                "unknown model '" + name + "': expected one of " + String.join(", ", NAMES));
    }

    private static Path genotypePath(Config model) {
        if (model.isNull("genotype")) {
            throw new IllegalArgumentException(
                    "model 'autodeeplab' needs a genotype: give --genotype FILE (model.genotype)");
        }
        return Path.of(model.getString("genotype"));
    }

    /**
     * Reads and validates an Auto-DeepLab {@code genotype.json}.
     *
     * @param file the file
     * @return the genotype
     * @throws IllegalArgumentException naming the file when it is missing, unreadable or invalid
     */
    public static AutoDeepLabGenotype readGenotype(Path file) {
        try {
            return AutoDeepLabGenotype.read(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("genotype file " + file + " not found", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read genotype file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("genotype file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Pins the genotype of an {@code autodeeplab} run to its run directory, so that {@code eval
     * model --run} rebuilds the same network even if the original file changes or moves: copies the
     * file atomically to {@code <run>/genotype.json} and returns the configuration with {@code
     * model.genotype} pointing at the copy and {@code model.genotype_source} at the original, both
     * absolute. Other models, and a run whose genotype already is its own copy (a resumed run), are
     * returned unchanged.
     *
     * @param config the resolved configuration (the genotype has been validated by {@link #build})
     * @param runRoot the run directory
     * @return the configuration to record in {@code config.resolved.json}
     * @throws IOException when the copy cannot be written
     */
    public static Config pinGenotype(Config config, Path runRoot) throws IOException {
        if (!"autodeeplab".equals(config.getString("model.name"))
                || config.isNull("model.genotype")) {
            return config;
        }
        Path source = Path.of(config.getString("model.genotype")).toAbsolutePath().normalize();
        Path target = runRoot.resolve(GENOTYPE_FILE).toAbsolutePath().normalize();
        if (source.equals(target)) {
            return config;
        }
        readGenotype(source);
        String text;
        try {
            text = Files.readString(source, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read genotype file " + source + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeString(target, text);
        return config.withOverrides(
                List.of(
                        "model.genotype=" + new JsonPrimitive(target.toString()),
                        "model.genotype_source=" + new JsonPrimitive(source.toString())));
    }
}
