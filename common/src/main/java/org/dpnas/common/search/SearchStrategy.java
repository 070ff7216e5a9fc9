package org.dpnas.common.search;

import com.google.gson.JsonObject;
import java.util.Optional;

/**
 * An ask/tell multi-trial search strategy (random search, an RL controller, evolution): it proposes
 * children and learns from their scores, but never trains anything itself. Its state is JSON, so a
 * search resumes after its process died.
 *
 * @param <G> the genotype type
 */
public interface SearchStrategy<G extends Genotype> {

    /** The next child to evaluate. */
    G propose();

    /** Tells the strategy the result of a trial it proposed. */
    void observe(Trial<G> trial);

    /** The best trial observed so far, if any. */
    Optional<Trial<G>> best();

    /** The strategy's state (everything {@link #restore} needs besides the observed trials). */
    JsonObject state();

    /**
     * Restores a state written by {@link #state}.
     *
     * @throws IllegalArgumentException naming the field when the state does not fit
     */
    void restore(JsonObject state);
}
