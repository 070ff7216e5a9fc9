package org.dpnas.common.det;

/**
 * One detected object in input-pixel corners.
 *
 * @param x1 left
 * @param y1 top
 * @param x2 right
 * @param y2 bottom
 * @param score confidence in [0, 1]
 * @param classId contiguous class index (0-based)
 */
public record Detection(float x1, float y1, float x2, float y2, float score, int classId) {}
