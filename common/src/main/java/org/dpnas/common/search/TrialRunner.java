package org.dpnas.common.search;

import java.nio.file.Path;

/**
 * Runs one trial somewhere: in this process today ({@link #inProcess}); as a separate {@code dpnas}
 * process or a Slurm job later, with the shared file system as the only channel.
 *
 * @param <G> the genotype type
 */
@FunctionalInterface
public interface TrialRunner<G extends Genotype> {

    /**
     * Runs a trial to completion.
     *
     * @param genotype the child
     * @param runDir its run directory
     * @return the evaluation's result
     */
    Evaluator.Result run(G genotype, Path runDir) throws Exception;

    /** Runs trials in this process, one after another, with {@code evaluator}. */
    static <G extends Genotype> TrialRunner<G> inProcess(Evaluator<G> evaluator) {
        return evaluator::evaluate;
    }
}
