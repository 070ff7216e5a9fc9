package org.dpnas.nasfpn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PyramidSpaceTest {

    private final PyramidSpace space = new PyramidSpace(7, "resnet10", 16, 1, "tf");

    /**
     * Hand-encoded published cell: the output cells (levels 3, 4, 5, 7, 6) pick index 0 of {3..7},
     * 0 of {4..7}, 0 of {5, 6, 7}, 1 of {6, 7} and 0 of {6}.
     */
    @Test
    void publishedCellHasItsHandDecisionVector() {
        int[] d = space.encode(PyramidGenotype.nasFpn());
        assertArrayEquals(
                new int[] {
                    1, 3, 1, 1, 1, 5, 1, 0, 0, 6, 0, 0, 6, 7, 0, 0, 7, 8, 0, 1, 6, 9, 1, 1, 9, 10,
                    0, 1
                },
                d);
        assertEquals(PyramidGenotype.nasFpn(), space.decode(d));
        assertArrayEquals(
                new int[] {
                    5, 5, 5, 2, 6, 6, 5, 2, 7, 7, 5, 2, 8, 8, 4, 2, 9, 9, 3, 2, 10, 10, 2, 2, 11,
                    11, 1, 2
                },
                space.choices());
    }

    @Test
    void samplesAreValidAndRoundTrip() {
        Random r = new Random(3);
        for (int i = 0; i < 200; i++) {
            PyramidGenotype g = space.sample(r);
            assertEquals(g, space.decode(space.encode(g)));
            assertEquals(g, PyramidGenotype.fromJson(g.toJson()));
        }
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> space.decode(new int[28 - 1]));
        assertTrue(e.getMessage().contains("28"), e.getMessage());
        int[] bad = new int[28];
        bad[26] = 1; // the last output cell has a single level left
        e = assertThrows(IllegalArgumentException.class, () -> space.decode(bad));
        assertTrue(e.getMessage().contains("cell6.level"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> space.encode(PyramidGenotype.fpn()));
    }

    /**
     * The controller sees one decision per choice, op heads shared, and proposes valid pyramids.
     */
    @Test
    void sharedControllerProposesValidPyramids() {
        assertEquals(28, space.decisions().size());
        assertEquals("op", space.decisions().get(3).head());
        assertEquals("op", space.decisions().get(27).head());
        assertEquals(11, space.decisions().get(24).choices());
        var rl =
                new org.dpnas.common.search.rl.RlSearch<>(
                        space,
                        org.dpnas.common.search.rl.RlSearch.Options.defaults(
                                org.dpnas.common.search.rl.RlSearch.Algorithm.PPO),
                        1,
                        null);
        for (int i = 0; i < 5; i++) {
            PyramidGenotype g = rl.propose();
            assertEquals(7, g.cells().size());
        }
    }

    @Test
    void describesAndDraws() {
        String text = space.describe(PyramidGenotype.nasFpn());
        assertTrue(text.contains("node  9 = P5 <- attention(node 7, node 8) + absorbs [2]"), text);
        String svg = space.picture(PyramidGenotype.nasFpn(), "NAS-FPN <7 cells>");
        assertTrue(svg.startsWith("<svg") && svg.contains("&lt;7 cells&gt;"), svg);
        assertEquals(12, svg.split("<rect").length - 1);
    }
}
