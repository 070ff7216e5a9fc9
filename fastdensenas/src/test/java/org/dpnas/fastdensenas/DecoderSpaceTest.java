package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.rl.RlSearch;
import org.junit.jupiter.api.Test;

/** The decoder space: sizes by hand, the decision vector, the JSON form, bad input. */
class DecoderSpaceTest {

    static String golden() throws Exception {
        try (InputStream in = DecoderSpaceTest.class.getResourceAsStream("/golden-genotype.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void paperSizesAsCountedByHand() {
        DecoderSpace s = DecoderSpace.paper();
        assertEquals(19, s.decisions().size());
        int[] expected = {4, 4, 5, 5, 6, 6, 11, 2, 2, 11, 11, 5, 5, 11, 11, 8, 8, 11, 11};
        assertArrayEquals(expected, s.decisions().stream().mapToInt(d -> d.choices()).toArray());
        // 4²·5²·6² connections × 11 × (2²·11²)(5²·11²)(8²·11²) cell choices
        assertEquals(new BigInteger("1795937679360000"), s.sequences());
        // 11 × C(4)C(5)C(6) × C(22)C(55)C(88), C(m) = m(m+1)/2
        assertEquals(BigInteger.valueOf(11L * 10 * 15 * 21 * 253 * 1540 * 3916), s.distinct());
        assertEquals("52867304028000", s.sizes().get("distinct_architectures").getAsString());
    }

    @Test
    void distinctCountsUnorderedPairsOnATinySpace() {
        // 1 encoder output... too small to pair; 2 outputs, 1 cell, 1 layer: 11 × C(2) = 33
        DecoderSpace s = new DecoderSpace(2, 1, 1);
        assertEquals(BigInteger.valueOf(33), s.distinct());
        // enumerate: networks equal up to swapping the two inputs
        Set<String> seen = new HashSet<>();
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                for (int op = 0; op < 11; op++) {
                    seen.add(Math.min(a, b) + "," + Math.max(a, b) + "," + op);
                }
            }
        }
        assertEquals(33, seen.size());
        assertEquals(BigInteger.valueOf(44), s.sequences());
    }

    @Test
    void goldenGenotypeRoundTrips() throws Exception {
        DecoderGenotype g = DecoderGenotype.fromJson(golden());
        assertEquals(golden(), g.toJson());
        DecoderSpace s = DecoderSpace.paper();
        int[] x = s.encode(g);
        assertArrayEquals(new int[] {3, 2, 4, 0, 5, 1, 2, 0, 1, 0, 4, 4, 2, 8, 9, 7, 0, 10, 6}, x);
        assertEquals(g, s.decode(x));
    }

    @Test
    void samplesRoundTripThroughDecisionsAndJson() {
        DecoderSpace s = DecoderSpace.paper();
        Random r = new Random(5);
        for (int i = 0; i < 200; i++) {
            DecoderGenotype g = s.sample(r);
            assertEquals(g, s.decode(s.encode(g)));
            assertEquals(g, DecoderGenotype.fromJson(g.toJson()));
        }
    }

    @Test
    void badGenotypesAreRefusedNamingTheField() throws Exception {
        String g = golden();
        assertField(g.replace("[4, 2]", "[5, 2]"), "cell.layers[1].inputs");
        assertField(g.replace("[5, 1]", "[6, 1]"), "connections[2]");
        assertField(g.replace("\"none\"", "\"conv7x7\""), "conv7x7");
        assertField(g.replace("\"schema\": 1", "\"schema\": 2"), "'schema'");
        assertField(g.replace("fastdensenas", "autodeeplab"), "'method'");
        assertField(g.replace("\"encoder_outputs\": 4,", ""), "'encoder_outputs'");
        int[] x = new int[19];
        x[0] = 4;
        var e2 = assertThrows(IllegalArgumentException.class, () -> DecoderSpace.paper().decode(x));
        assertTrue(e2.getMessage().contains("'cell0.input1'"), e2.getMessage());
    }

    static void assertField(String json, String field) {
        var e = assertThrows(IllegalArgumentException.class, () -> DecoderGenotype.fromJson(json));
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void theSharedControllerSearchesThisSpace() {
        DecoderSpace s = DecoderSpace.paper();
        RlSearch<DecoderGenotype> rl =
                new RlSearch<>(s, RlSearch.Options.defaults(RlSearch.Algorithm.PPO), 1, null);
        // the controller's net: start vector, 2 LSTM layers, one head per non-op decision + ops
        int h = 100;
        int lstm = 2 * (4 * h * 2 * h + 4 * h);
        int heads = 0;
        for (int c : new int[] {4, 4, 5, 5, 6, 6, 2, 2, 5, 5, 8, 8, 11}) {
            heads += 2 * c * h + c;
        }
        assertEquals(h + lstm + heads, rl.policy().theta().length);
        for (int i = 0; i < 3; i++) {
            DecoderGenotype g = rl.propose();
            rl.observe(new Trial<>(i, g, "t", Map.of(), 0.1 * i));
        }
        assertEquals(3, rl.updates());
    }
}
