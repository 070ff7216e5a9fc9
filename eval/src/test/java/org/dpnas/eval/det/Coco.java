package org.dpnas.eval.det;

import java.util.Arrays;
import java.util.List;

/** Short constructors for hand-built COCO cases (one category "a" = 1 unless told otherwise). */
final class Coco {

    private Coco() {}

    static CocoGroundTruth.Annotation box(
            long id, long image, long cat, double x, double y, double w, double h) {
        return CocoGroundTruth.Annotation.box(id, image, cat, x, y, w, h);
    }

    static CocoGroundTruth.Annotation crowd(
            long id, long image, long cat, double x, double y, double w, double h) {
        return new CocoGroundTruth.Annotation(id, image, cat, x, y, w, h, w * h, true);
    }

    static CocoDetections.Detection det(
            long image, long cat, double x, double y, double w, double h, double score) {
        return new CocoDetections.Detection(image, cat, x, y, w, h, score);
    }

    static CocoGroundTruth gt(
            List<Long> images, List<CocoGroundTruth.Annotation> anns, long... catIds) {
        CocoGroundTruth.Category[] cats = new CocoGroundTruth.Category[catIds.length];
        for (int i = 0; i < catIds.length; i++) {
            cats[i] = new CocoGroundTruth.Category(catIds[i], "c" + catIds[i]);
        }
        return CocoGroundTruth.of(images, Arrays.asList(cats), anns);
    }

    static CocoStats eval(CocoGroundTruth gt, CocoDetections.Detection... dets) {
        return CocoEvaluator.evaluate(gt, CocoDetections.of(gt, List.of(dets)), 1);
    }
}
