package org.dpnas.eval.det;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CocoStatsTest {

    private static CocoStats sample() {
        // distinct values so each line shows which stat it prints
        double[] s = {0.5625, 0.4025, -1, 0.1, 0.2, 0.3, 0.01, 0.02, 0.03, 0.04, 0.05, 1};
        Map<String, Double> per = new LinkedHashMap<>();
        per.put("person", 0.25);
        per.put("bicycle", -1.0);
        return new CocoStats(s, per);
    }

    @Test
    void summaryReproducesPycocotoolsLines() {
        // format ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}';
        // Python prints 0.5625 (exact tie) as 0.562 (half-even), 0.4025 (binary
        // 0.40250000000000002)
        // as 0.403 and -1 as -1.000.
        String[] lines = sample().summary().split("\n", -1);
        assertEquals(13, lines.length); // 12 lines, each ending in '\n'
        assertEquals("", lines[12]);
        assertEquals(
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.562",
                lines[0]);
        assertEquals(
                " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.403",
                lines[1]);
        assertEquals(
                " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = -1.000",
                lines[2]);
        assertEquals(
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.100",
                lines[3]);
        assertEquals(
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.200",
                lines[4]);
        assertEquals(
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.010",
                lines[6]);
        assertEquals(
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 0.020",
                lines[7]);
        assertEquals(
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 1.000",
                lines[11]);
    }

    @Test
    void jsonHasStatsNamesAndPerCategory() {
        JsonObject o = sample().toJson();
        assertEquals(12, o.getAsJsonArray("stats").size());
        assertEquals(0.4025, o.getAsJsonArray("stats").get(1).getAsDouble());
        assertEquals("AR100", o.getAsJsonArray("names").get(8).getAsString());
        assertEquals(0.25, o.getAsJsonObject("per_category").get("person").getAsDouble());
        assertEquals(-1.0, o.getAsJsonObject("per_category").get("bicycle").getAsDouble());
    }

    @Test
    void namesAndLookup() {
        CocoStats s = sample();
        assertEquals(
                List.of(
                        "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs",
                        "ARm", "ARl"),
                s.names());
        assertEquals(0.05, s.get("ARm"));
        assertThrows(IllegalArgumentException.class, () -> s.get("mAP"));
        assertThrows(IllegalArgumentException.class, () -> new CocoStats(new double[11], Map.of()));
    }

    @Test
    void duplicateCategoryNamesAreDisambiguated() {
        // two categories named "x" (ids 1 and 2): the second key becomes "x (id 2)"
        CocoGroundTruth g =
                CocoGroundTruth.of(
                        List.of(1L),
                        List.of(
                                new CocoGroundTruth.Category(1, "x"),
                                new CocoGroundTruth.Category(2, "x")),
                        List.of(Coco.box(1, 1, 1, 0, 0, 10, 10)));
        CocoStats s = Coco.eval(g, Coco.det(1, 1, 0, 0, 10, 10, 0.9));
        assertEquals(List.of("x", "x (id 2)"), List.copyOf(s.perCategoryAP().keySet()));
        assertEquals(1.0, s.perCategoryAP().get("x"), 1e-12);
    }
}
