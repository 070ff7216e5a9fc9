package org.dpnas.cas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.dpnas.common.search.darts.CellEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The genotype's JSON form: a golden file, a round trip, and bad files named by their field. */
class CasGenotypeTest {

    static String golden() throws IOException {
        try (InputStream in =
                CasGenotypeTest.class.getResourceAsStream("/org/dpnas/cas/golden-genotype.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void goldenFileReadsToTheRecordedCellsAndWritesBackByteForByte() throws IOException {
        CasGenotype g = CasGenotype.fromJson(golden());
        assertEquals(
                List.of(
                        List.of(new CellEdge(1, "sep_conv_3x3"), new CellEdge(0, "skip_connect")),
                        List.of(new CellEdge(2, "dil_conv_3x3"), new CellEdge(1, "max_pool_3x3"))),
                g.normal());
        assertEquals(new CellEdge(0, "dil_conv_5x5"), g.reduce().get(1).get(1));
        assertEquals(List.of(6, 0), g.multiscale());
        assertEquals(8, g.channels());
        assertEquals(4, g.layers());
        assertEquals(16, g.msChannels());
        assertEquals(golden(), g.toJson());
    }

    @Test
    void sampledGenotypesRoundTripThroughAFile(@TempDir Path tmp) throws IOException {
        CasSpace space =
                new CasSpace(new CasSizes(5, 8, 4, 3, 16, CasSpace.MS_RATES, CasSpace.OPS));
        Random r = new Random(3);
        for (int i = 0; i < 5; i++) {
            CasGenotype g = space.sample(r);
            Path f = tmp.resolve("g" + i + ".json");
            space.write(g, f);
            assertEquals(g, space.read(f));
            assertEquals(2, g.multiscale().size());
        }
    }

    @Test
    void badFilesAreRejectedNamingTheField(@TempDir Path tmp) throws IOException {
        String ok = golden();
        assertMessage(ok.replace("\"sep_conv_3x3\"", "\"conv_7x7\""), "'normal' block 0");
        assertMessage(
                ok.replace(
                        "[\n        2,\n        \"skip_connect\"",
                        "[\n        5,\n        \"skip_connect\""),
                "reads state 5");
        // the one header wording of every method's reader (GenotypeFiles.checkHeader)
        assertMessage(
                ok.replace("\"method\": \"cas\"", "\"method\": \"autodeeplab\""),
                "genotype field 'method' is 'autodeeplab', expected 'cas'");
        assertMessage(
                ok.replace("\"schema\": 1", "\"schema\": 2"),
                "genotype field 'schema' is 2, this version reads 1");
        assertMessage(ok.replace("\"channels\": 8", "\"channels\": 0"), "'channels'");
        assertMessage(ok.replace("\"ms_channels\": 16,", ""), "'ms_channels'");
        assertMessage(ok.replace("6,\n    0", "-1"), "'multiscale'");
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, ok.replace("\"layers\": 4", "\"layers\": \"four\""));
        CasSpace space =
                new CasSpace(new CasSizes(5, 8, 4, 3, 16, CasSpace.MS_RATES, CasSpace.OPS));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> space.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'layers'"), e.getMessage());
    }

    private static void assertMessage(String json, String part) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CasGenotype.fromJson(json));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
