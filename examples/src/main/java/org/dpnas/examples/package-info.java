/**
 * Examples a DJL user can copy: {@link org.dpnas.examples.PredictWithCriteria} loads a network
 * exported with {@code dpnas weights export --format djl} through DJL's {@code Criteria} and
 * segments an image; {@link org.dpnas.examples.TrainGenotypeWithEasyTrain} trains a searched
 * genotype with DJL's {@code EasyTrain} on a dpnas dataset. Each has a {@code runExample} that
 * returns its result, so a test runs it briefly.
 */
package org.dpnas.examples;
