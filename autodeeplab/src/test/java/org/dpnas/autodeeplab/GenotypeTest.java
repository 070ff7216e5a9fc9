package org.dpnas.autodeeplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.search.darts.CellEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenotypeTest {

    private static String golden() throws IOException {
        try (InputStream in = GenotypeTest.class.getResourceAsStream("/golden/genotype.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The golden file (schema 1) still loads, with the paper's network path. */
    @Test
    void goldenFileLoads() throws IOException {
        AutoDeepLabGenotype g = AutoDeepLabGenotype.fromJson(golden());
        assertEquals(8, g.filterMultiplier());
        assertEquals(5, g.blocks());
        assertEquals(12, g.layers());
        assertEquals(AutoDeepLabGenotype.PAPER_PATH, g.networkPath());
        assertEquals(
                List.of(new CellEdge(1, "sep_conv_3x3"), new CellEdge(0, "skip_connect")),
                g.cell().get(0));
        assertEquals(new CellEdge(5, "skip_connect"), g.cell().get(4).get(0));
    }

    @Test
    void roundTripsThroughJsonAndAFile(@TempDir Path dir) throws IOException {
        AutoDeepLabGenotype g = AutoDeepLabGenotype.fromJson(golden());
        String json = g.toJson();
        assertTrue(json.contains("\"schema\": 1"), json);
        assertTrue(json.contains("\"method\": \"autodeeplab\""), json);
        assertEquals(g, AutoDeepLabGenotype.fromJson(json));
        Path file = dir.resolve("best/genotype.json");
        g.write(file);
        assertEquals(g, AutoDeepLabGenotype.read(file));
    }

    private static void assertRejected(String json, String fragment) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> AutoDeepLabGenotype.fromJson(json));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void rejectsOtherSchemasMethodsAndMissingFields() throws IOException {
        String ok = golden();
        // the one header wording of every method's reader (GenotypeFiles.checkHeader)
        assertRejected(
                ok.replace("\"schema\": 1", "\"schema\": 2"),
                "genotype field 'schema' is 2, this version reads 1");
        assertRejected(
                ok.replace("\"autodeeplab\"", "\"cas\""),
                "genotype field 'method' is 'cas', expected 'autodeeplab'");
        assertRejected(ok.replace("\"blocks\": 5,", ""), "'blocks'");
        assertRejected("[1, 2]", "not a JSON object");
    }

    @Test
    void rejectsImpossibleArchitectures() throws IOException {
        String ok = golden();
        assertRejected(
                ok.replace(
                        "[0, 0, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1]",
                        "[0, 0, 2, 1, 2, 1, 2, 2, 3, 3, 2, 1]"),
                "level 2 at layer 2");
        assertRejected(
                ok.replace(
                        "[0, 0, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1]",
                        "[2, 1, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1]"),
                "level 2 at layer 0");
        assertRejected(ok.replace("[0, 0, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1]", "[0, 1]"), "2 layers");
        assertRejected(
                ok.replace(
                        "{\"input\": 2, \"op\": \"dil_conv_3x3\"}",
                        "{\"input\": 3, \"op\": \"dil_conv_3x3\"}"),
                "outside [0, 3)");
        assertRejected(ok.replace("\"dil_conv_5x5\"", "\"none\""), "'none'");
        assertRejected(ok.replace("\"dil_conv_5x5\"", "\"conv_9x9\""), "unknown op");
    }
}
