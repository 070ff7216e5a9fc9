/**
 * A procedurally generated segmentation and detection dataset of coloured shapes on textured
 * backgrounds, the suite's embedded default data and the data of its tests.
 *
 * <p>Every sample is a pure function of its {@link org.dpnas.datasets.synthetic.SyntheticSpec} and
 * index, generated on demand; nothing is downloaded or cached.
 */
package org.dpnas.datasets.synthetic;
