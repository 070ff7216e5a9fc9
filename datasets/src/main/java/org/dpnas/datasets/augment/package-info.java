/**
 * Joint augmentation of images with their label maps or boxes: seeded random scale, crop with
 * padding, horizontal flip and photometric jitter for training, deterministic resize and padding
 * for evaluation, and dataset views applying them (plus a view that replaces unreadable samples).
 */
package org.dpnas.datasets.augment;
