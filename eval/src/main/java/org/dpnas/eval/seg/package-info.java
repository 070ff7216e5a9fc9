/**
 * Streaming semantic-segmentation metrics with Cityscapes semantics: a {@link
 * org.dpnas.eval.seg.ConfusionMatrix} accumulates per-pixel (ground truth, prediction) counts on
 * the host batch by batch, skipping ignore-labelled pixels, and {@link
 * org.dpnas.eval.seg.SegMetrics} derives IoU, mIoU, pixel accuracy, mean class accuracy and
 * frequency-weighted IoU from it.
 */
package org.dpnas.eval.seg;
