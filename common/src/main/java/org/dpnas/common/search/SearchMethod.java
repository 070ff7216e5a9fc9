package org.dpnas.common.search;

import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;

/**
 * A search method as the {@code dpnas} command sees it, found at run time with {@link
 * java.util.ServiceLoader} (as DJL's {@code ModelZoo} finds {@code ZooProvider}s): a method module
 * lists its implementation in {@code META-INF/services/org.dpnas.common.search.SearchMethod}, and
 * the command offers {@code search NAME}, retrains its genotypes and costs them without knowing the
 * method.
 */
public interface SearchMethod {

    /** What a finished search reports. */
    record Outcome(
            RunDirectory run, Genotype genotype, long steps, double seconds, List<String> files) {}

    /** What a benchmark measured, as (name, value) lines in print order. */
    record Bench(String header, List<String[]> numbers, JsonObject json) {}

    /** The registered name: the {@code search} sub-verb and the genotypes' {@code method}. */
    String name();

    /** One line for {@code dpnas search --help}. */
    String summary();

    /** The directory of preset configs under the dpnas home, e.g. {@code configs/NAME}. */
    default String presetsDir() {
        return "configs/" + name();
    }

    /** The preset used when neither a preset nor a config is given. */
    default String defaultPreset() {
        return "tiny";
    }

    /** A fresh copy of the search's defaults (with the data section). */
    JsonObject searchDefaults();

    /** The search verb's convenience options. */
    List<ConfigOption> searchOptions();

    /**
     * Runs (or resumes) a one-shot search.
     *
     * @param config the resolved configuration
     * @param run the run directory
     * @param resume continue from the last checkpoint
     * @param args the command line, for provenance
     * @param console where progress goes
     */
    Outcome search(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception;

    /** Prints the sizes of the search without building it; writes them as JSON when asked. */
    void dryRun(Config config, PrintStream out, Path json) throws Exception;

    /** The search space at a configuration's sizes (for multi-trial strategies). */
    SearchSpace<? extends Genotype> space(Config config);

    /**
     * The evaluator of one child of a multi-trial search over this method's space (the method's
     * proxy task), built from the search run's resolved configuration. A child run in its own
     * process ({@code dpnas} on a launcher slot or a Slurm job) calls the same evaluator, so a
     * child's result does not depend on where it ran.
     *
     * @param config the search run's resolved configuration
     * @throws UnsupportedOperationException when the method has no child evaluator of its own
     */
    default Evaluator<? extends Genotype> evaluator(Config config) {
        throw new UnsupportedOperationException(name() + " has no child evaluator of its own");
    }

    /**
     * Reads and validates one of this method's genotype files.
     *
     * @throws IllegalArgumentException naming the file and the field
     */
    Genotype readGenotype(Path file);

    /** The genotype in words, a few lines for a terminal. */
    String describe(Genotype genotype);

    /**
     * The fixed network a training run's {@code model} section describes ({@code model.genotype}
     * and the method's sizing keys).
     *
     * @throws IllegalArgumentException naming the file or key that is missing or invalid
     */
    Block retrainNetwork(Config model, int numClasses);

    /**
     * The network a one-shot search run trains (its supernet, whose checkpoints hold weights and
     * architecture parameters), for {@code eval model --run} on a search run.
     *
     * @param config the search run's resolved configuration
     * @throws UnsupportedOperationException when the method has no supernet
     */
    default Block searchNetwork(Config config) {
        throw new UnsupportedOperationException(name() + " has no supernet to evaluate");
    }

    /** Size words for a cost line of a network this method built (e.g. "F 8, B 5"). */
    default String sizes(Block network) {
        return "";
    }

    /** Size keys for the cost JSON of a network this method built. */
    default JsonObject sizesJson(Block network) {
        return new JsonObject();
    }

    /**
     * Times the method's search step (the real step, with the search defaults) at a named preset,
     * if the method has a benchmark.
     *
     * @param preset the preset name
     * @param impl an implementation choice, or null for the default
     * @param warmup untimed iterations
     * @param iters timed iterations
     * @param seed the seed
     */
    default Optional<Bench> bench(String preset, String impl, int warmup, int iters, long seed)
            throws Exception {
        return Optional.empty();
    }
}
