package org.dpnas.autodeeplab.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dpnas.autodeeplab.AutoDeepLabSupernet;
import org.dpnas.autodeeplab.Decoder;
import org.dpnas.autodeeplab.SupernetConfig;
import org.dpnas.common.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A NaN α or β never becomes a genotype: derivation refuses it and nothing reaches best/. */
class DivergedArchitectureTest {

    private static void assertRefused(
            float[] values, int index, String named, Path dir, boolean alpha) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            AutoDeepLabSupernet net = new AutoDeepLabSupernet(new SupernetConfig(3, 3, 4, 3));
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            float[] v = (alpha ? net.alphas() : net.betas()).getArray().toFloatArray();
            v[index] = values[0];
            (alpha ? net.alphas() : net.betas()).getArray().set(v);
            RunDirectory run = new RunDirectory(dir);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Decoder.decode(net));
            assertTrue(e.getMessage().contains(named), e.getMessage());
            assertTrue(e.getMessage().contains("no genotype"), e.getMessage());
            assertEquals(
                    0L,
                    Files.exists(run.best()) ? Files.list(run.best()).count() : 0L,
                    "files were written to best/");
        }
    }

    @Test
    void aNaNAlphaIsRefusedNamingTheEntry(@TempDir Path dir) throws Exception {
        // 8 ops per edge: entry 10 is α[1][2]
        assertRefused(new float[] {Float.NaN}, 10, "α[1][2] is NaN", dir, true);
    }

    @Test
    void anInfiniteBetaIsRefusedNamingTheEntry(@TempDir Path dir) throws Exception {
        // β is L × 4 × 3: entry 13 is layer 1, level 0, choice 1
        assertRefused(
                new float[] {Float.POSITIVE_INFINITY}, 13, "β[1][0][1] is Infinity", dir, false);
    }
}
