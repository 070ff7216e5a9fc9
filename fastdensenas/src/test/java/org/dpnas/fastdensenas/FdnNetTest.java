package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dpnas.common.io.TorchNames;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.train.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retraining network: exportable names for every op, the encoder weights it starts from. */
class FdnNetTest {

    /**
     * A network whose cells use one op everywhere has one PyTorch name per parameter, for every op
     * (a separable op's two conv-BN blocks used to collide, so `weights export` failed).
     */
    @Test
    void everyOpHasUniqueExportNames() {
        for (DecoderOp op : DecoderOp.values()) {
            CellLayer l = new CellLayer(0, 1, op, op);
            DecoderGenotype g =
                    new DecoderGenotype(
                            4, op, List.of(l, l, l), List.of(new int[] {0, 1}, new int[] {2, 3}));
            FdnNet net = new FdnNet(g, 8, 3, DecoderNet.Aux.NONE, 1f, null);
            assertEquals(net.getParameters().size(), TorchNames.of(net).size(), op.label());
        }
    }

    /** The encoder starts from model.encoder_weights: a tensor equals the file's. */
    @Test
    void initialisationLoadsTheEncoderWeights(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("encoder.safetensors");
        float[] saved;
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.seedEngine(1);
            FdnEncoder e = new FdnEncoder(1f);
            e.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            WeightFiles.save(e.backbone(), file, Map.of("source", "test"));
            saved =
                    TorchNames.of(e.backbone())
                            .get("features.0.0.weight")
                            .getArray()
                            .toFloatArray();
        }
        CellLayer l = new CellLayer(0, 1, DecoderOp.CONV1X1, DecoderOp.SKIP);
        DecoderGenotype g =
                new DecoderGenotype(4, DecoderOp.SKIP, List.of(l, l, l), List.of(new int[] {0, 1}));
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.seedEngine(2);
            FdnNet net = new FdnNet(g, 8, 3, DecoderNet.Aux.NONE, 1f, file);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            Parameter p = TorchNames.of(net.encoder().backbone()).get("features.0.0.weight");
            assertArrayEquals(saved, p.getArray().toFloatArray());
        }
    }
}
