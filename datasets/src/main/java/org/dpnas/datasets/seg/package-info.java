/**
 * Loaders for real semantic-segmentation datasets (Cityscapes, PASCAL VOC 2012, CamVid) read from
 * their official folder layouts, plus the image decoding they share.
 *
 * <p>All loaders list their files at construction and decode lazily in {@code get}, are safe to use
 * from several threads, and report problems as {@link org.dpnas.datasets.seg.DatasetException}
 * naming the file.
 */
package org.dpnas.datasets.seg;
