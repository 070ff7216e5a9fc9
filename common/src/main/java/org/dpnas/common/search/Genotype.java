package org.dpnas.common.search;

/**
 * An architecture as plain data, saved as {@code genotype.json} with a {@code schema} version and
 * the {@code method} that reads it. Everything after a search (retrain, evaluation, cost) starts
 * from a genotype.
 */
public interface Genotype {

    /** The registered name of the method whose space this genotype belongs to. */
    String method();

    /** The schema version of the JSON form. */
    int schema();

    /** The {@code genotype.json} text: a JSON object with {@code schema} and {@code method}. */
    String toJson();
}
