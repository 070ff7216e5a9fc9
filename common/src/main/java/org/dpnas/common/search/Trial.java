package org.dpnas.common.search;

import java.util.Map;

/**
 * One finished trial of a multi-trial search: the child architecture, where it ran, its metrics and
 * the score the strategy maximises.
 *
 * @param id the trial number, from 0
 * @param genotype the child architecture
 * @param dir the child's run directory
 * @param metrics what the evaluator measured (e.g. {@code mIoU}, {@code steps})
 * @param score the objective, larger is better
 * @param <G> the genotype type
 */
public record Trial<G extends Genotype>(
        int id, G genotype, String dir, Map<String, Double> metrics, double score) {

    /** Validates and copies. */
    public Trial {
        if (id < 0) {
            throw new IllegalArgumentException("trial id must be >= 0, got " + id);
        }
        if (genotype == null) {
            throw new IllegalArgumentException("trial " + id + " has no genotype");
        }
        metrics = Map.copyOf(metrics);
    }
}
