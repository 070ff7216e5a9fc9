/**
 * COCO bounding-box evaluation that reproduces the numbers of pycocotools' {@code COCOeval} with
 * {@code iouType="bbox"} and default parameters: {@link org.dpnas.eval.det.CocoGroundTruth} and
 * {@link org.dpnas.eval.det.CocoDetections} read (or build in memory) the instances and results
 * files into primitive arrays, {@link org.dpnas.eval.det.CocoEvaluator} matches detections to
 * ground truth per image and category and accumulates 101-point interpolated precision, and {@link
 * org.dpnas.eval.det.CocoStats} holds the twelve summary numbers, per-category AP and the printed
 * summary. {@link org.dpnas.eval.det.CocoBench} times the whole path on a generated 500k-detection
 * case.
 */
package org.dpnas.eval.det;
