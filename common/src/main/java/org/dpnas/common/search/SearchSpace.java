package org.dpnas.common.search;

import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.dpnas.common.run.AtomicFiles;

/**
 * A space of architectures: samples genotypes uniformly, builds the fixed network of one, and
 * reads, writes and describes them. A one-shot method adds a {@link Supernet} over the same space;
 * a multi-trial strategy needs only this.
 *
 * @param <G> the genotype type
 */
public interface SearchSpace<G extends Genotype> {

    /** The registered method name, written into every genotype. */
    String method();

    /**
     * A genotype drawn uniformly from the space.
     *
     * @param random the source of randomness (one per consumer, derived from the run's seed)
     */
    G sample(Random random);

    /**
     * The fixed (retrain) network of a genotype, uninitialised.
     *
     * @param genotype the architecture
     * @param numClasses output classes
     */
    Block build(G genotype, int numClasses);

    /**
     * Parses {@code genotype.json} text.
     *
     * @throws IllegalArgumentException naming the offending field
     */
    G fromJson(String json);

    /**
     * Reads a {@code genotype.json}.
     *
     * @throws IllegalArgumentException naming the file and the offending field
     */
    default G read(Path file) {
        String text = GenotypeFiles.read(file);
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("genotype file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code genotype.json} atomically. */
    default void write(G genotype, Path file) throws IOException {
        AtomicFiles.writeString(file, genotype.toJson());
    }

    /** The genotype in words, a few lines for a terminal. */
    String describe(G genotype);

    /**
     * A picture of the genotype as an SVG document.
     *
     * @param genotype the architecture
     * @param title a caption
     */
    String picture(G genotype, String title);
}
