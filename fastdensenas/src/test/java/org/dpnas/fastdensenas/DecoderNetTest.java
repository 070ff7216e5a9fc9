package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder network: the cell's wiring by hand, output and auxiliary shapes, bad sizes. */
class DecoderNetTest {

    static DecoderGenotype allSkip() {
        CellLayer l = new CellLayer(0, 0, DecoderOp.SKIP, DecoderOp.SKIP);
        return new DecoderGenotype(2, DecoderOp.SKIP, List.of(l, l, l), List.of(new int[] {0, 1}));
    }

    @Test
    void cellOfSkipsSumsItsLooseEnds() {
        // node1 = x; nodes 4, 7, 10 = x + x; nothing reads 1, 4, 7 or 10: out = x + 3·2x = 7x
        ContextualCell cell = new ContextualCell(allSkip(), 3);
        assertEquals(List.of(1, 4, 7, 10), cell.outputNodes());
        try (NDManager m = NDManager.newBaseManager()) {
            cell.initialize(m, DataType.FLOAT32, new Shape(1, 3, 4, 4));
            NDArray x = m.randomUniform(-1, 1, new Shape(1, 3, 4, 4));
            NDArray y =
                    cell.forward(new ParameterStore(m, false), new NDList(x), false)
                            .singletonOrThrow();
            NDArray want = x.mul(m.create(7f));
            assertTrue(y.sub(want).abs().max().getFloat() < 1e-6f);
        }
    }

    @Test
    void separableOpIsDepthwisePointwiseOneBatchNormAndRelu() {
        // the reference's SepConv: depthwise 3×3 (pad 1), pointwise 1×1, BatchNorm on the batch's
        // statistics (gamma 1, beta 0 at initialisation), ReLU; weights 3·3·3 + 3·3, one BN (2·3)
        Block op = DecoderOps.create(DecoderOp.SEP3X3, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(2, 3, 5, 5);
            op.initialize(m, DataType.FLOAT64, in);
            long trainable = 0;
            for (var p : org.dpnas.common.train.ParamIO.trainable(op)) {
                trainable += p.getArray().size();
            }
            assertEquals(27 + 9 + 6, trainable);
            NDArray x = m.arange(0, 150, 1, DataType.FLOAT64).mul(0.37).sin().reshape(in);
            NDArray y =
                    op.forward(new ParameterStore(m, false), new NDList(x), true)
                            .singletonOrThrow();
            NDArray dw = null;
            NDArray pw = null;
            for (var p : op.getParameters()) {
                if (p.getKey().contains("dw")) {
                    dw = p.getValue().getArray();
                } else if (p.getKey().contains("pw")) {
                    pw = p.getValue().getArray();
                }
            }
            NDArray d =
                    ai.djl.ndarray.NDArrays.stack(
                                    new NDList(
                                            conv(x.get(":, 0:1"), dw.get("0:1")),
                                            conv(x.get(":, 1:2"), dw.get("1:2")),
                                            conv(x.get(":, 2:3"), dw.get("2:3"))),
                                    1)
                            .squeeze(2);
            NDArray p = conv(d, pw);
            NDArray mean = meanNhw(p);
            NDArray var = meanNhw(p.sub(mean).square());
            NDArray want = p.sub(mean).div(var.add(1e-5).sqrt()).maximum(0);
            double diff = y.sub(want).abs().max().getDouble();
            // float64 rounding (about 1e-16 of values of order 1) times the BatchNorm's gain 1/σ
            assertTrue(diff < 1e-10, "differs by " + diff);
        }
    }

    /** The mean over batch and space per channel (one axis at a time on this engine). */
    private static NDArray meanNhw(NDArray a) {
        return a.mean(new int[] {3}, true).mean(new int[] {2}, true).mean(new int[] {0}, true);
    }

    private static NDArray conv(NDArray x, NDArray w) {
        long k = w.getShape().get(2);
        return ai.djl.pytorch.jni.JniUtils.convolution(
                (ai.djl.pytorch.engine.PtNDArray) x,
                (ai.djl.pytorch.engine.PtNDArray) w,
                null,
                new Shape(1, 1),
                new Shape((k - 1) / 2, (k - 1) / 2),
                new Shape(1, 1),
                1);
    }

    @Test
    void aNoneNodeReadByAConvolutionIsZerosThroughTheBatchNorm() {
        // node 1 = none(x) = 0; layer 1: node 2 = conv1x1(node 1), node 3 = none; layer 2: node 5 =
        // skip(x), node 6 = none; layer 3: nothing. Outputs 4, 7, 10 = node 2 + x + 0, and node 2 =
        // ReLU(BN(conv(0))) = ReLU(beta) in training: with beta 0.5, y = x + 0.5 (a cell that
        // dropped the convolution of a zero node would give x)
        DecoderGenotype g =
                new DecoderGenotype(
                        2,
                        DecoderOp.NONE,
                        List.of(
                                new CellLayer(1, 0, DecoderOp.CONV1X1, DecoderOp.NONE),
                                new CellLayer(0, 0, DecoderOp.SKIP, DecoderOp.NONE),
                                new CellLayer(0, 0, DecoderOp.NONE, DecoderOp.NONE)),
                        List.of(new int[] {0, 1}));
        ContextualCell cell = new ContextualCell(g, 3);
        assertEquals(List.of(4, 7, 10), cell.outputNodes());
        try (NDManager m = NDManager.newBaseManager()) {
            cell.initialize(m, DataType.FLOAT32, new Shape(2, 3, 4, 4));
            for (var p : cell.getParameters()) {
                if (p.getKey().contains("op1a") && p.getKey().endsWith("beta")) {
                    p.getValue().getArray().set(new float[] {0.5f, 0.5f, 0.5f});
                }
            }
            NDArray x = m.randomUniform(-1, 1, new Shape(2, 3, 4, 4));
            NDArray y =
                    cell.forward(new ParameterStore(m, false), new NDList(x), true)
                            .singletonOrThrow();
            assertTrue(y.sub(x.add(0.5f)).abs().max().getFloat() < 1e-6f);
        }
    }

    @Test
    void goldenCellReadsItsChainAndOutputsTheLastSum() throws Exception {
        DecoderGenotype g = DecoderGenotype.fromJson(DecoderSpaceTest.golden());
        // layer 1 reads nodes 0, 1 -> 4; layer 2 reads 4, 2 -> 7; layer 3 reads 7, 0 -> 10
        assertEquals(List.of(10), new ContextualCell(g, 4).outputNodes());
    }

    @Test
    void mainAndAuxiliaryOutputsHaveTheDecoderShapes() throws Exception {
        DecoderGenotype g = DecoderGenotype.fromJson(DecoderSpaceTest.golden());
        DecoderNet net = new DecoderNet(g, new int[] {16, 24, 32, 64}, 8, 5, true);
        // cells: node 4 = (3, 2) at 8×8, node 5 = (4, 0) at 32×32, node 6 = (5, 1) at 32×32;
        // 4 and 5 are read by later cells, so only 6 is classified
        assertEquals(List.of(6), net.collectedNodes());
        try (NDManager m = NDManager.newBaseManager()) {
            NDList in = new NDList();
            int[] ch = {16, 24, 32, 64};
            int[] size = {32, 16, 8, 4};
            for (int i = 0; i < 4; i++) {
                in.add(m.randomUniform(-1, 1, new Shape(2, ch[i], size[i], size[i])));
            }
            net.initialize(m, DataType.FLOAT32, in.getShapes());
            ParameterStore ps = new ParameterStore(m, false);
            NDList train = net.forward(ps, in, true);
            assertEquals(4, train.size());
            assertEquals(new Shape(2, 5, 32, 32), train.get(0).getShape());
            assertEquals(new Shape(2, 5, 8, 8), train.get(1).getShape());
            assertEquals(new Shape(2, 5, 32, 32), train.get(2).getShape());
            assertEquals(new Shape(2, 5, 32, 32), train.get(3).getShape());
            NDList eval = net.forward(ps, in, false);
            assertEquals(1, eval.size());
        }
    }

    @Test
    void auxiliaryCellsAddTheirOwnWeights() throws Exception {
        DecoderGenotype g = DecoderGenotype.fromJson(DecoderSpaceTest.golden());
        long with = count(new DecoderNet(g, new int[] {16, 24, 32, 64}, 8, 5, true));
        long without = count(new DecoderNet(g, new int[] {16, 24, 32, 64}, 8, 5, false));
        long cell = count(new ContextualCell(g, 8));
        assertEquals(3 * cell, with - without);
        assertTrue(cell > 0);
    }

    static long count(ai.djl.nn.Block b) {
        try (NDManager m = NDManager.newBaseManager()) {
            if (b instanceof DecoderNet) {
                NDList in = new NDList();
                int[] ch = {16, 24, 32, 64};
                for (int c : ch) {
                    in.add(m.zeros(new Shape(1, c, 8, 8)));
                }
                b.initialize(m, DataType.FLOAT32, in.getShapes());
            } else {
                b.initialize(m, DataType.FLOAT32, new Shape(1, 8, 8, 8));
            }
            long n = 0;
            for (var p : b.getParameters().values()) {
                n += p.getArray().size();
            }
            return n;
        }
    }

    @Test
    void encoderOutputCountMustMatch() throws Exception {
        DecoderGenotype g = DecoderGenotype.fromJson(DecoderSpaceTest.golden());
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new DecoderNet(g, new int[] {16, 24, 32}, 8, 5, true));
        assertTrue(e.getMessage().contains("4 encoder outputs"), e.getMessage());
    }

    @Test
    void costCountsTheInferencePathByHand() {
        // 2 encoder outputs (4 ch at 8×8, 6 ch at 4×4), agg 3, 5 classes, one cell of skips:
        // adapters 3·64·4 + 3·16·6, aggregation convs 3·64·3 + 3·16·3, pre-classifier 3·64·3,
        // 3×3 classifier 5·64·3·9
        DecoderNet net = new DecoderNet(allSkip(), new int[] {4, 6}, 3, 5, DecoderNet.Aux.NONE);
        org.dpnas.common.cost.CostReport r =
                org.dpnas.common.cost.CostCounter.of(
                        net, new Shape(1, 4, 8, 8), new Shape(1, 6, 4, 4));
        assertEquals(768 + 288 + 576 + 144 + 576 + 8640, r.macs(org.dpnas.common.cost.OpType.CONV));
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
        assertEquals(new Shape(1, 5, 8, 8), r.outputShapes()[0]);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 4, 8, 8), new Shape(1, 6, 4, 4));
            long n = 0;
            for (var p : org.dpnas.common.train.ParamIO.trainable(net)) {
                n += p.getArray().size();
            }
            assertEquals(n, r.params());
        }
    }

    @Test
    void withoutAuxiliaryOutputsTrainingGivesTheMainLogitsOnly() {
        DecoderNet net = new DecoderNet(allSkip(), new int[] {4, 6}, 3, 5, DecoderNet.Aux.NONE);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 4, 8, 8), new Shape(1, 6, 4, 4));
            NDList out =
                    net.forward(
                            new ParameterStore(m, false),
                            new NDList(
                                    m.randomUniform(-1, 1, new Shape(2, 4, 8, 8)),
                                    m.randomUniform(-1, 1, new Shape(2, 6, 4, 4))),
                            true);
            assertEquals(1, out.size());
            assertEquals(new Shape(2, 5, 8, 8), out.get(0).getShape());
        }
    }
}
