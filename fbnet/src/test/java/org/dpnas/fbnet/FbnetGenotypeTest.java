package org.dpnas.fbnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The genotype's JSON form: a golden file written by this version still reads, a sampled genotype
 * round-trips, and bad fields are refused with their name.
 */
class FbnetGenotypeTest {

    private static String golden() throws Exception {
        try (InputStream in = FbnetGenotypeTest.class.getResourceAsStream("golden-genotype.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void goldenFileReadsAndRoundTrips() throws Exception {
        FbnetGenotype g = FbnetGenotype.fromJson(golden());
        assertEquals(
                List.of(
                        FbnetOp.SKIP,
                        FbnetOp.K3_E1_G2,
                        FbnetOp.K3_E6,
                        FbnetOp.K5_E3,
                        FbnetOp.K5_E1_G2,
                        FbnetOp.K3_E1,
                        FbnetOp.K5_E6),
                g.ops());
        assertEquals(16, g.outputStride());
        assertEquals(golden(), g.toJson());
        FbnetSpace space = new FbnetSpace(g.sizes(5));
        FbnetGenotype s = space.sample(new Random(3));
        assertEquals(s, FbnetGenotype.fromJson(s.toJson()));
        assertTrue(space.describe(g).contains("k5_e1_g2"));
        assertTrue(space.picture(g, "t").startsWith("<svg"));
    }

    @Test
    void badFieldsAreNamed() throws Exception {
        String ok = golden();
        assertMessage(ok.replace("\"k3_e6\"", "\"k7_e6\""), "'ops'[2]");
        assertMessage(ok.replace("\"output_stride\": 16", "\"output_stride\": 8"), "output_stride");
        assertMessage(ok.replace("\"skip\",", ""), "'ops' has 6 blocks");
        assertMessage(ok.replace("\"width\": 0.25", "\"width\": -1"), "width");
        assertMessage(ok.replace("\"method\": \"fbnet\"", "\"method\": \"cas\""), "'method'");
    }

    private static void assertMessage(String json, String part) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FbnetGenotype.fromJson(json));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
