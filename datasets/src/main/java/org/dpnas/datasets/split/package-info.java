/** Reproducible index splits for architecture search and subset views of datasets. */
package org.dpnas.datasets.split;
