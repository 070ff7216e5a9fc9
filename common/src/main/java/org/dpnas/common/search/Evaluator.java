package org.dpnas.common.search;

import java.nio.file.Path;

/**
 * Trains one child architecture under a budget and scores it: the part of a multi-trial search that
 * owns training (FastDenseNAS's and NAS-FPN's proxy tasks, random search's retrain budget). One
 * evaluation is one run directory, so evaluations can run as separate processes.
 *
 * @param <G> the genotype type
 */
public interface Evaluator<G extends Genotype> {

    /**
     * The result of one evaluation.
     *
     * @param metrics what was measured
     * @param score the objective, larger is better
     */
    record Result(java.util.Map<String, Double> metrics, double score) {}

    /**
     * Trains and scores a child; resumes inside {@code runDir} if a previous attempt was cut off.
     *
     * @param genotype the child
     * @param runDir the child's run directory (created if absent)
     * @return its metrics and score
     */
    Result evaluate(G genotype, Path runDir) throws Exception;
}
