/**
 * Dataset loaders and joint image/label augmentation for dense prediction; the embedded synthetic
 * dataset lives in {@link org.dpnas.datasets.synthetic}.
 */
package org.dpnas.datasets;
