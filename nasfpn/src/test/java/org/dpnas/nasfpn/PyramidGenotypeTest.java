package org.dpnas.nasfpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PyramidGenotypeTest {

    /**
     * Hand-traced: in the published cell P5 (node 2) and P7 (node 4) are read by no cell, so the
     * level-5 and level-7 output cells absorb them; nothing else is unused.
     */
    @Test
    void nasFpnOutputsAbsorbTheUnreadInputs() {
        PyramidGenotype g = PyramidGenotype.nasFpn();
        assertEquals(7, g.cells().size());
        assertEquals(
                List.of(
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(2),
                        List.of(4),
                        List.of()),
                g.absorbed());
        assertEquals(4, g.levelOf(5));
        assertEquals(6, g.levelOf(11));
        assertEquals(7, g.levelOf(4));
        PyramidGenotype f = PyramidGenotype.fpn();
        assertEquals(5, f.cells().size());
        f.absorbed().forEach(a -> assertTrue(a.isEmpty()));
    }

    @Test
    void jsonRoundTripsAndNamesItsMethod() {
        for (PyramidGenotype g : List.of(PyramidGenotype.nasFpn(), PyramidGenotype.fpn())) {
            String json = g.toJson();
            assertTrue(json.contains("\"method\": \"nasfpn\""), json);
            assertEquals(g, PyramidGenotype.fromJson(json));
        }
        assertEquals(PyramidGenotype.fpn(), PyramidGenotype.builtIn("fpn"));
        assertThrows(IllegalArgumentException.class, () -> PyramidGenotype.builtIn("bifpn"));
    }

    @Test
    void rejectsInvalidPyramids() {
        List<MergingCell> fpn = PyramidGenotype.fpn().cells();
        // reads a node that does not exist yet
        List<MergingCell> ahead = new java.util.ArrayList<>(fpn);
        ahead.set(0, new MergingCell(3, 5, 6, "sum"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> new PyramidGenotype(3, 7, ahead));
        assertTrue(e.getMessage().contains("cell 0 reads node 5"), e.getMessage());
        // two output cells on level 6
        List<MergingCell> twice = new java.util.ArrayList<>(fpn);
        twice.set(4, new MergingCell(4, 5, 6, "sum"));
        e = assertThrows(IllegalArgumentException.class, () -> new PyramidGenotype(3, 7, twice));
        assertTrue(e.getMessage().contains("repeat level 6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MergingCell(0, 1, 3, "concat"));
        assertThrows(
                IllegalArgumentException.class, () -> new PyramidGenotype(3, 7, fpn.subList(0, 4)));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        PyramidGenotype.fromJson(
                                PyramidGenotype.fpn().toJson().replace("nasfpn", "cas")));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        PyramidGenotype.fromJson(
                                PyramidGenotype.fpn()
                                        .toJson()
                                        .replace("\"level\": 7", "\"level\": 8")));
    }
}
