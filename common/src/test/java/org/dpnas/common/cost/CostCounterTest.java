package org.dpnas.common.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.nn.BaselineSegNet;
import org.dpnas.common.nn.LightAspp;
import org.dpnas.common.nn.ResidualBlock;
import org.junit.jupiter.api.Test;

class CostCounterTest {

    private static Conv2d conv(
            int out, int k, int stride, int pad, int dil, int groups, boolean bias) {
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(k, k))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optDilation(new Shape(dil, dil))
                .optGroups(groups)
                .optBias(bias)
                .build();
    }

    /** Sums the sizes of a block's initialised parameters: {trainable, non-trainable}. */
    private static long[] actualParams(Block block, Shape input) {
        try (NDManager m = NDManager.newBaseManager()) {
            block.initialize(m, DataType.FLOAT32, input);
            long[] n = new long[2];
            for (Parameter p : block.getParameters().values()) {
                n[p.requiresGradient() ? 0 : 1] += p.getArray().size();
            }
            return n;
        }
    }

    @Test
    void plainStridedConvolution() {
        // Cin 3 -> Cout 8, k3 s2 p1 on 1x3x32x32: Hout = (32 + 2 - 3) / 2 + 1 = 16
        CostReport r = CostCounter.of(conv(8, 3, 2, 1, 1, 1, false), new Shape(1, 3, 32, 32));
        assertEquals(new Shape(1, 8, 16, 16), r.outputShapes()[0]);
        assertEquals(55_296, r.macs(OpType.CONV)); // 1·8·16·16·3·3·3
        assertEquals(55_296, r.macs());
        assertEquals(216, r.params()); // 8·3·3·3
        assertEquals(0, r.nonTrainableParams());
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    @Test
    void biasAddsParametersButNoMacsAndBatchScalesMacs() {
        // same conv with bias, batch 2: MACs 2·55,296 = 110,592; params 216 + 8 = 224
        CostReport r = CostCounter.of(conv(8, 3, 2, 1, 1, 1, true), new Shape(2, 3, 32, 32));
        assertEquals(110_592, r.macs());
        assertEquals(224, r.params());
        assertEquals(224, r.paramsByOp().get(OpType.CONV));
    }

    @Test
    void depthwiseAndGroupedConvolutions() {
        // depthwise: C 16, groups 16, k3 p1 on 1x16x10x10: 16·10·10·(16/16)·9 = 14,400
        CostReport dw = CostCounter.of(conv(16, 3, 1, 1, 1, 16, false), new Shape(1, 16, 10, 10));
        assertEquals(14_400, dw.macs());
        assertEquals(144, dw.params()); // 16·1·3·3
        // grouped: 8 -> 12, groups 4 (2 inputs per group), k3 p1 on 1x8x6x6: 12·36·2·9 = 7,776
        CostReport g = CostCounter.of(conv(12, 3, 1, 1, 1, 4, false), new Shape(1, 8, 6, 6));
        assertEquals(7_776, g.macs());
        assertEquals(216, g.params()); // 12·2·3·3
    }

    @Test
    void dilationChangesNothingAtTheSameOutputSize() {
        // 4 -> 4, k3 d2 p2 on 1x4x12x12 keeps 12x12: 4·144·4·9 = 20,736, as k3 d1 p1
        CostReport dilated = CostCounter.of(conv(4, 3, 1, 2, 2, 1, false), new Shape(1, 4, 12, 12));
        CostReport plain = CostCounter.of(conv(4, 3, 1, 1, 1, 1, false), new Shape(1, 4, 12, 12));
        assertEquals(new Shape(1, 4, 12, 12), dilated.outputShapes()[0]);
        assertEquals(20_736, dilated.macs());
        assertEquals(plain.macs(), dilated.macs());
        assertEquals(144, dilated.params()); // 4·4·9
    }

    @Test
    void linearLayer() {
        // 4 rows, 10 -> 5: MACs 4·10·5 = 200; params 5·10 + 5 = 55
        Linear fc = Linear.builder().setUnits(5).build();
        CostReport r = CostCounter.of(fc, new Shape(4, 10));
        assertEquals(200, r.macs(OpType.LINEAR));
        assertEquals(55, r.params());
        assertEquals(55, actualParams(fc, new Shape(4, 10))[0]);
    }

    @Test
    void batchNormIsOneMacPerElementWithRunningStatsNonTrainable() {
        // 2x6x4x4 = 192 elements; gamma, beta 6 + 6 trainable; running mean, var 6 + 6 not
        BatchNorm bn = BatchNorm.builder().build();
        CostReport r = CostCounter.of(bn, new Shape(2, 6, 4, 4));
        assertEquals(192, r.macs(OpType.BATCH_NORM));
        assertEquals(12, r.params());
        assertEquals(12, r.nonTrainableParams());
        long[] actual = actualParams(bn, new Shape(2, 6, 4, 4));
        assertEquals(12, actual[0]);
        assertEquals(12, actual[1]);
    }

    @Test
    void residualBlockIsTheSumOfItsPartsPlusTheAdd() {
        // ResidualBlock(8 -> 16, stride 2) on 1x8x16x16, output 1x16x8x8 (64 pixels, 1,024 elems)
        // conv1 3x3 s2: 16·64·8·9 = 73,728; conv2 3x3: 16·64·16·9 = 147,456;
        // shortcut 1x1 s2: 16·64·8 = 8,192 -> conv 229,376
        // three BatchNorms 3·1,024 = 3,072; ReLU, add, ReLU 3·1,024 = 3,072
        ResidualBlock block = new ResidualBlock(8, 16, 2, 1);
        Shape in = new Shape(1, 8, 16, 16);
        CostReport r = CostCounter.of(block, in);
        assertEquals(new Shape(1, 16, 8, 8), r.outputShapes()[0]);
        assertEquals(229_376, r.macs(OpType.CONV));
        assertEquals(3_072, r.macs(OpType.BATCH_NORM));
        assertEquals(3_072, r.macs(OpType.ELEMENTWISE));
        assertEquals(235_520, r.macs()); // 229,376 + 3,072 + 3,072
        // params: 16·8·9 = 1,152 + 16·16·9 = 2,304 + 16·8 = 128 + 3 BN · 32 = 96 -> 3,680
        assertEquals(3_680, r.params());
        assertEquals(96, r.nonTrainableParams()); // 3 BN · (16 + 16)
        long[] actual = actualParams(block, in);
        assertEquals(actual[0], r.params());
        assertEquals(actual[1], r.nonTrainableParams());
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    @Test
    void lightAsppCountsPoolingBroadcastAndProjection() {
        // LightAspp(4, rate 2) on 1x8x6x6 (36 pixels):
        // b0 1x1: 4·36·8 = 1,152; b1 3x3 d2: 4·36·8·9 = 10,368; pool conv 1x1 on 1x8x1x1:
        // 4·8 = 32; project 12 -> 4: 4·36·12 = 1,728 -> conv 13,280
        // BN on b0, b1, project: 3·4·36 = 432; ReLU on those 432 + pooled ReLU 4 = 436
        // image pooling: mean over W 8·6 outputs x 6 taps = 288, then over H 8 x 6 = 48 -> 336
        LightAspp aspp = new LightAspp(4, 2);
        Shape in = new Shape(1, 8, 6, 6);
        CostReport r = CostCounter.of(aspp, in);
        assertEquals(new Shape(1, 4, 6, 6), r.outputShapes()[0]);
        assertEquals(13_280, r.macs(OpType.CONV));
        assertEquals(432, r.macs(OpType.BATCH_NORM));
        assertEquals(436, r.macs(OpType.ELEMENTWISE));
        assertEquals(336, r.macs(OpType.POOL));
        assertEquals(14_484, r.macs()); // 13,280 + 432 + 436 + 336
        // params: b0 32 + 8, b1 288 + 8, pool conv 32 + bias 4, project 48 + 8 = 428
        assertEquals(428, r.params());
        assertEquals(24, r.nonTrainableParams()); // 3 BN · 8
        long[] actual = actualParams(aspp, in);
        assertEquals(actual[0], r.params());
        assertEquals(actual[1], r.nonTrainableParams());
    }

    @Test
    void baselineTotalsMatchAHandDerivedSum() {
        // BaselineSegNet(3 classes, width 8) on 1x3x32x32; pixels: 16x16 = 256, 8x8 = 64, 4x4 = 16
        // conv MACs:
        //   stem1 3->4 s2: 4·256·3·9 = 27,648      stem2 4->8 s2: 8·64·4·9 = 18,432
        //   res1 (8, 8): 2·8·64·8·9 = 73,728
        //   res2 (8->16 s2): 16·16·8·9 + 16·16·16·9 + 16·16·8 = 18,432 + 36,864 + 2,048 = 57,344
        //   res3 (16, d2): 2·16·16·16·9 = 73,728
        //   aspp on 1x16x4x4: b0 8·16·16 = 2,048, b1..b3 3·8·16·16·9 = 55,296,
        //        pool conv 8·16 = 128, project 40 -> 8: 8·16·40 = 5,120 -> 62,592
        //   classifier 8 -> 3: 3·16·8 = 384
        //   sum 27,648 + 18,432 + 73,728 + 57,344 + 73,728 + 62,592 + 384 = 313,856
        // BN: 1,024 + 512 + 2·512 + 3·256 + 2·256 + 4·128 + 128 = 4,480
        // element-wise: stem1 1,024, stem2 512, res1 3·512 = 1,536, res2 3·256 = 768,
        //   res3 768, aspp 5·128 + 8 = 648 -> 5,256
        // pool: 16·4 x 4 taps + 16 x 4 taps = 320; resize to 32x32: 4·3·32·32 = 12,288
        // total 313,856 + 4,480 + 5,256 + 320 + 12,288 = 336,200
        BaselineSegNet net = new BaselineSegNet(3, 8);
        Shape in = new Shape(1, 3, 32, 32);
        CostReport r = CostCounter.of(net, in);
        assertEquals(new Shape(1, 3, 32, 32), r.outputShapes()[0]);
        assertEquals(313_856, r.macs(OpType.CONV));
        assertEquals(4_480, r.macs(OpType.BATCH_NORM));
        assertEquals(5_256, r.macs(OpType.ELEMENTWISE));
        assertEquals(320, r.macs(OpType.POOL));
        assertEquals(12_288, r.macs(OpType.INTERPOLATE));
        assertEquals(0, r.macs(OpType.LINEAR));
        assertEquals(336_200, r.macs());
        // params: stem1 108 + 8, stem2 288 + 16, res1 2·576 + 32, res2 1,152 + 2,304 + 128 + 96,
        //   res3 2·2,304 + 64, aspp 128 + 16 + 3·(1,152 + 16) + 128 + 8 + 320 + 16,
        //   classifier 24 + 3 -> 116 + 304 + 1,184 + 3,680 + 4,672 + 4,120 + 27 = 14,103
        assertEquals(14_103, r.params());
        // running stats: 2·(4 + 8 + 2·8 + 3·16 + 2·16 + 5·8) = 2·148 = 296
        assertEquals(296, r.nonTrainableParams());
        long[] actual = actualParams(net, in);
        assertEquals(actual[0], r.params());
        assertEquals(actual[1], r.nonTrainableParams());
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    @Test
    void initialisedBlockCountsTheSameAsAnUninitialisedOne() {
        // the baseline at width 16, 5 classes: the counts come from configuration before
        // initialisation and from parameter shapes after; both must agree
        Shape in = new Shape(2, 3, 48, 40);
        CostReport before = CostCounter.of(new BaselineSegNet(5, 16), in);
        BaselineSegNet net = new BaselineSegNet(5, 16);
        long[] actual = actualParams(net, in);
        CostReport after = CostCounter.of(net, in);
        assertEquals(actual[0], before.params());
        assertEquals(actual[0], after.params());
        assertEquals(actual[1], after.nonTrainableParams());
        assertEquals(before.macs(), after.macs());
    }

    @Test
    void sequentialWithLambdaBlocksAndASharedConvolution() {
        // conv 4->4 k3 p1 on 1x4x8x8 used twice: MACs 2·4·64·4·9 = 18,432, params once 144
        // ReLU on 1x4x8x8: 256; global average pool: one op per input element: 256
        Conv2d shared = conv(4, 3, 1, 1, 1, 1, false);
        SequentialBlock seq =
                new SequentialBlock()
                        .add(shared)
                        .add(Activation.reluBlock())
                        .add(shared)
                        .add(Pool.globalAvgPool2dBlock());
        CostReport r = CostCounter.of(seq, new Shape(1, 4, 8, 8));
        assertEquals(18_432, r.macs(OpType.CONV));
        assertEquals(256, r.macs(OpType.ELEMENTWISE));
        assertEquals(256, r.macs(OpType.POOL));
        assertEquals(144, r.params());
        assertEquals(new Shape(1, 4), r.outputShapes()[0]);
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    @Test
    void windowedPoolHidesItsKernelAndSaysSo() {
        // maxPool 2x2 s2 on 1x3x8x8: counted one tap per input element = 192 (exact here)
        Block pool = Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2));
        CostReport r = CostCounter.of(pool, new Shape(1, 3, 8, 8));
        assertEquals(192, r.macs(OpType.POOL));
        assertEquals(new Shape(1, 3, 4, 4), r.outputShapes()[0]);
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).contains("maxPool2d"), r.warnings().toString());
    }

    /** A composite that doubles its child's output outside the child, without CostAware. */
    static final class Doubler extends AbstractBlock {
        private final Conv2d inner = addChildBlock("inner", conv(2, 1, 1, 0, 1, 1, false));

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            NDList y = inner.forward(ps, in, training);
            return new NDList(y.head().add(y.head()));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inner.getOutputShapes(inputShapes);
        }
    }

    @Test
    void unknownCompositeIsCountedByItsChildrenWithAWarningNamingIt() {
        // child 1x1 conv 3 -> 2 on 1x3x5x5: 2·25·3 = 150 MACs, 6 params; the add is missed
        CostReport r = CostCounter.of(new Doubler(), new Shape(1, 3, 5, 5));
        assertEquals(150, r.macs());
        assertEquals(6, r.params());
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).contains(Doubler.class.getName()), r.warnings().get(0));
    }
}
