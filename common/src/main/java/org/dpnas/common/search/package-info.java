/**
 * The method-independent contracts of a search: an architecture as data ({@link
 * org.dpnas.common.search.Genotype}), the space that samples, builds and saves it ({@link
 * org.dpnas.common.search.SearchSpace}), a weight-sharing supernet ({@link
 * org.dpnas.common.search.Supernet}) searched by the one-shot strategy ({@link
 * org.dpnas.common.search.OneShotSearch}), and the ask/tell multi-trial strategies ({@link
 * org.dpnas.common.search.SearchStrategy}, {@link org.dpnas.common.search.RandomSearch}) whose
 * children an {@link org.dpnas.common.search.Evaluator} trains; methods register through {@link
 * org.dpnas.common.search.SearchMethod}.
 */
package org.dpnas.common.search;
