package org.dpnas.eval.det;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoBenchTest {

    @TempDir Path dir;

    @Test
    void generationIsDeterministicPerSeed() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        for (Path p : new Path[] {a, b, c}) {
            Files.createDirectories(p);
        }
        CocoBench.generate(3, 30, 5, 20, a.resolve("gt.json"), a.resolve("dt.json"));
        CocoBench.generate(3, 30, 5, 20, b.resolve("gt.json"), b.resolve("dt.json"));
        CocoBench.generate(4, 30, 5, 20, c.resolve("gt.json"), c.resolve("dt.json"));
        assertArrayEquals(
                Files.readAllBytes(a.resolve("gt.json")), Files.readAllBytes(b.resolve("gt.json")));
        assertArrayEquals(
                Files.readAllBytes(a.resolve("dt.json")), Files.readAllBytes(b.resolve("dt.json")));
        assertTrue(
                !java.util.Arrays.equals(
                        Files.readAllBytes(a.resolve("dt.json")),
                        Files.readAllBytes(c.resolve("dt.json"))));
    }

    @Test
    void runReadsAndEvaluatesTheGeneratedCase() throws IOException {
        CocoBench.Result r = CocoBench.run(5, 40, 6, 25, dir);
        // 40 images x 25 detections each; 6 categories listed
        assertEquals(40, r.images());
        assertEquals(6, r.categories());
        assertEquals(1000, r.detections());
        assertTrue(r.groundTruths() > 0);
        // both phases were timed (a missing measurement would read 0)
        assertTrue(r.readSeconds() > 0 && r.evaluateSeconds() > 0, r.toString());
        double ap = r.stats().get("AP");
        assertTrue(ap > 0 && ap < 1, "AP " + ap);
        // threads do not change the numbers
        CocoGroundTruth gt = CocoGroundTruth.read(dir.resolve("instances.json"));
        CocoDetections dt = CocoDetections.read(dir.resolve("results.json"), gt);
        assertArrayEquals(
                CocoEvaluator.evaluate(gt, dt, 1).stats(),
                CocoEvaluator.evaluate(gt, dt, 3).stats());
        assertArrayEquals(r.stats().stats(), CocoEvaluator.evaluate(gt, dt, 1).stats());
    }
}
