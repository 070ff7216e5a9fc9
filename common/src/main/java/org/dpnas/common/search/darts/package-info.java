/**
 * The DARTS cell shared by cell-based search spaces (Auto-DeepLab's cell, CAS's normal, reduction
 * and multi-scale cells): the graph of blocks, inputs and edges, the chosen edge of a genotype, the
 * top-k derivation from α, and uniform sampling of a discrete cell.
 */
package org.dpnas.common.search.darts;
