package org.dpnas.common.search.strategies;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.TrialRunner;

/**
 * The weight-inheritance hook of evolutionary search (RENAS, Chen et al., CVPR 2019, §3.3: a child
 * starts from its parent's weights where the layers match): before a child runs, it writes {@code
 * parent.json} into the child's run directory with the parent trial's directory ({@code
 * parent_dir}, absolute). An evaluator that supports inheritance reads it ({@link #parentOf}) and
 * loads the parent's parameters whose names and shapes match before training; one that does not
 * ignores the file and trains from scratch. The file is written once, so a resumed child sees the
 * same parent.
 *
 * @param <G> the genotype type
 */
public final class InheritingRunner<G extends Genotype> implements TrialRunner<G> {

    /** The file in a child's run directory that names its parent. */
    public static final String FILE = "parent.json";

    private final TrialRunner<G> inner;
    private final ParentAware<G> strategy;
    private final Path searchDir;

    /**
     * Creates the hook.
     *
     * @param inner runs the trial
     * @param strategy knows each pending child's parent
     * @param searchDir the search directory (trial directories are relative to it)
     */
    public InheritingRunner(TrialRunner<G> inner, ParentAware<G> strategy, Path searchDir) {
        this.inner = inner;
        this.strategy = strategy;
        this.searchDir = searchDir;
    }

    @Override
    public Evaluator.Result run(G genotype, Path runDir) throws Exception {
        writeParent(strategy, genotype, runDir, searchDir);
        return inner.run(genotype, runDir);
    }

    /**
     * Writes {@code parent.json} into a child's run directory when the strategy names a parent for
     * it and the file is not there yet (what a search whose children run as separate processes
     * calls before launching one).
     *
     * @param strategy knows the pending child's parent
     * @param genotype the child
     * @param runDir its run directory
     * @param searchDir the search directory
     */
    public static <G extends Genotype> void writeParent(
            ParentAware<G> strategy, G genotype, Path runDir, Path searchDir) throws IOException {
        Optional<String> parent = strategy.parentDir(genotype);
        Path file = runDir.resolve(FILE);
        if (parent.isPresent() && !Files.exists(file)) {
            JsonObject o = new JsonObject();
            o.addProperty(
                    "parent_dir", searchDir.resolve(parent.get()).toAbsolutePath().toString());
            Files.createDirectories(runDir);
            AtomicFiles.writeString(file, o + "\n");
        }
    }

    /**
     * The parent run directory named in a child's run directory, if any.
     *
     * @throws IllegalArgumentException naming the file when it is unreadable or lacks {@code
     *     parent_dir}
     */
    public static Optional<Path> parentOf(Path runDir) {
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonObject o =
                    com.google.gson.JsonParser.parseString(Files.readString(file))
                            .getAsJsonObject();
            if (!o.has("parent_dir")) {
                throw new IllegalArgumentException(file + ": lacks the field 'parent_dir'");
            }
            return Optional.of(Path.of(o.get("parent_dir").getAsString()));
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
