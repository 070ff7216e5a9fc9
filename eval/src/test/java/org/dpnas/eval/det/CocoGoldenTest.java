package org.dpnas.eval.det;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares against numbers pycocotools produced on the same files (see {@code
 * det/golden/README.md}): the 12 stats and per-category AP within 1e-6, the summary text exactly.
 */
class CocoGoldenTest {

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(CocoGoldenTest.class.getResource("/det/golden/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fuzz26", "fuzz27", "fuzz322", "bench7"})
    void matchesPycocotools(String name) throws IOException, URISyntaxException {
        JsonObject expected =
                JsonParser.parseString(
                                Files.readString(
                                        resource(name + "_expected.json"), StandardCharsets.UTF_8))
                        .getAsJsonObject();
        CocoGroundTruth gt = CocoGroundTruth.read(resource(name + "_gt.json"));
        // the fuzz cases hold unknown categories: read leniently, as pycocotools drops them
        CocoDetections dt = CocoDetections.read(resource(name + "_dt.json"), gt, true);
        for (int threads : new int[] {1, 2}) {
            CocoStats s = CocoEvaluator.evaluate(gt, dt, threads);
            JsonArray stats = expected.getAsJsonArray("stats");
            double[] got = s.stats();
            for (int i = 0; i < 12; i++) {
                assertEquals(
                        stats.get(i).getAsDouble(), got[i], 1e-6, name + " " + s.names().get(i));
            }
            JsonObject per = expected.getAsJsonObject("per_category");
            List<String> keys = new ArrayList<>(per.keySet());
            assertEquals(keys, new ArrayList<>(s.perCategoryAP().keySet()), name);
            for (Map.Entry<String, Double> e : s.perCategoryAP().entrySet()) {
                assertEquals(per.get(e.getKey()).getAsDouble(), e.getValue(), 1e-6, e.getKey());
            }
            assertEquals(expected.get("summary").getAsString(), s.summary(), name);
        }
    }
}
