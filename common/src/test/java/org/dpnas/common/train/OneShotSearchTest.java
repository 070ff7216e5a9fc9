package org.dpnas.common.train;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.ArchPenalty;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.search.TrainingLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-shot strategy's bilevel step: split isolation, start step and the penalty hook. */
class OneShotSearchTest {

    /** A two-candidate "supernet": softmax(α)-weighted sum of two 1×1 convolutions. */
    static final class Mix extends AbstractBlock {
        final Conv2d a;
        final Conv2d b;
        final Parameter alpha;

        Mix() {
            a =
                    addChildBlock(
                            "a",
                            Conv2d.builder().setFilters(2).setKernelShape(new Shape(1, 1)).build());
            b =
                    addChildBlock(
                            "b",
                            Conv2d.builder().setFilters(2).setKernelShape(new Shape(1, 1)).build());
            alpha =
                    addParameter(
                            Parameter.builder()
                                    .setName("alpha")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optShape(new Shape(2))
                                    .optInitializer(new ConstantInitializer(0f))
                                    .build());
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            NDArray x = in.head();
            NDArray w = ps.getValue(alpha, x.getDevice(), training).softmax(0);
            w.attach(x.getManager());
            NDArray ya = a.forward(ps, in, training).head();
            NDArray yb = b.forward(ps, in, training).head();
            return new NDList(ya.mul(w.get(0)).add(yb.mul(w.get(1))));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] s) {
            return new Shape[] {new Shape(s[0].get(0), 2, s[0].get(2), s[0].get(3))};
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... s) {
            a.initialize(m, t, s);
            b.initialize(m, t, s);
        }
    }

    /** TinyData that records which sample ids were read. */
    static final class Recording implements SegDataset {
        final TinyData data;
        final String tag;
        final Set<String> seen = ConcurrentHashMap.newKeySet();

        private int offset;

        Recording(int n, String tag) {
            this.data = new TinyData(n, 8);
            this.tag = tag;
        }

        /** Reads sample {@code i + offset} of the tiny data instead of sample i. */
        Recording shifted(int offset) {
            this.offset = offset;
            return this;
        }

        @Override
        public int size() {
            return data.size();
        }

        @Override
        public SegSample get(int i) {
            seen.add(tag + i);
            return data.get(i + offset);
        }

        @Override
        public List<String> classNames() {
            return data.classNames();
        }
    }

    private static BatchStream stream(SegDataset d, long seed, long max) {
        return new BatchStream(
                new SegBatcher(d, SegBatcher.IMAGENET_MEAN, SegBatcher.IMAGENET_STD),
                new EpochSampler(d.size(), 2, seed),
                max,
                "t");
    }

    @Test
    void weightsLearnOnSplitAAndTheArchitectureOnSplitBFromItsStartStep() throws Exception {
        try (NDManager base = NDManager.newBaseManager();
                Constants c = new Constants(base)) {
            Mix model = new Mix();
            model.initialize(base.newSubManager(), DataType.FLOAT32, new Shape(2, 3, 8, 8));
            List<Parameter> w = new ArrayList<>(ParamIO.trainable(model));
            w.remove(model.alpha);
            ParamGroup weights = new ParamGroup("weights", w, new Sgd(0.9f, 0f));
            ParamGroup arch =
                    new ParamGroup(
                            "arch",
                            List.of(model.alpha),
                            new Adam(0.9f, 0.999f, 1e-8f, 1e-3f, false));
            Recording a = new Recording(6, "A");
            Recording b = new Recording(6, "B");
            try (OneShotSearch step =
                    new OneShotSearch(
                            model,
                            weights,
                            arch,
                            stream(a, 1, 6),
                            stream(b, 2, 6),
                            LrSchedule.cosine(0.05f, 6, 0.001f),
                            LrSchedule.constant(3e-3f),
                            3,
                            5f,
                            c,
                            new ParameterStore(base, false))) {
                float[] w0 = model.a.getParameters().get("weight").getArray().toFloatArray();
                for (int t = 0; t < 3; t++) {
                    try (NDManager sm = base.newSubManager()) {
                        step.run(sm, t);
                    }
                }
                // before the start step: α untouched, B never read, weights moved
                assertArrayEquals(new float[] {0f, 0f}, model.alpha.getArray().toFloatArray(), 0f);
                assertEquals(Set.of(), b.seen);
                assertFalse(
                        java.util.Arrays.equals(
                                w0,
                                model.a.getParameters().get("weight").getArray().toFloatArray()));
                for (int t = 3; t < 6; t++) {
                    try (NDManager sm = base.newSubManager()) {
                        step.run(sm, t);
                    }
                }
                float[] alpha = model.alpha.getArray().toFloatArray();
                assertFalse(alpha[0] == 0f && alpha[1] == 0f, "α must move once updates start");
                assertEquals(6, a.seen.size()); // 6 steps × 2 images over 6 samples
                assertFalse(b.seen.isEmpty());
            }
        }
    }

    /** The gradient of every parameter of {@code m} on one batch, from zeroed gradients. */
    private static float[][] gradients(Mix m, NDList xy, ParameterStore ps, Constants c) {
        List<Parameter> all = ParamIO.trainable(m);
        for (Parameter p : all) {
            ParamGroup.zeroGrad(p.getArray());
        }
        try (ai.djl.training.GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = m.forward(ps, new NDList(xy.get(0)), true).head();
            NDList labels = new NDList(xy.subList(1, xy.size()));
            gc.backward(TrainingLoss.SEGMENTATION_CE.loss(new NDList(logits), labels, c));
        }
        float[][] g = new float[all.size()][];
        for (int i = 0; i < g.length; i++) {
            try (NDArray gi = all.get(i).getArray().getGradient()) {
                g[i] = gi.toFloatArray();
            }
        }
        return g;
    }

    /**
     * Bilevel isolation, against a reference that computes each split's gradient from zero: two
     * iterations (weights on A0, α on B0, weights on A1, α on B1) with plain SGD must move the
     * weights by exactly −lr·∇_w L(A_t) and α by exactly −lr·∇_α L(B_t). A weight step that also
     * saw split B's gradient (or an α step that saw split A's) differs by a whole gradient.
     */
    @Test
    void weightsNeverStepOnSplitBGradientsNorTheArchitectureOnSplitAGradients() throws Exception {
        try (NDManager base = NDManager.newBaseManager();
                Constants c = new Constants(base)) {
            Engine.getInstance().setRandomSeed(11);
            Mix model = new Mix();
            model.initialize(base.newSubManager(), DataType.FLOAT32, new Shape(2, 3, 8, 8));
            model.alpha.getArray().set(new float[] {0.3f, -0.2f});
            Mix ref = new Mix();
            ref.initialize(base.newSubManager(), DataType.FLOAT32, new Shape(2, 3, 8, 8));
            List<Parameter> all = ParamIO.trainable(model);
            List<Parameter> refAll = ParamIO.trainable(ref);
            for (int i = 0; i < all.size(); i++) {
                refAll.get(i).getArray().set(all.get(i).getArray().toFloatArray());
            }
            List<Parameter> w = new ArrayList<>(all);
            w.remove(model.alpha);
            ParamGroup weights = new ParamGroup("weights", w, new Sgd(0f, 0f));
            ParamGroup arch = new ParamGroup("arch", List.of(model.alpha), new Sgd(0f, 0f));
            float wLr = 0.1f;
            float aLr = 0.5f;
            ParameterStore ps = new ParameterStore(base, false);
            // two identical copies of each split's stream: one for the strategy, one for the
            // reference; A and B are different images (different samplers over different data)
            try (OneShotSearch step =
                            new OneShotSearch(
                                    model,
                                    weights,
                                    arch,
                                    stream(new TinyData(8, 8), 1, 2),
                                    stream(new Recording(8, "B").shifted(100), 2, 2),
                                    LrSchedule.constant(wLr),
                                    LrSchedule.constant(aLr),
                                    0,
                                    0f,
                                    c,
                                    ps);
                    BatchStream refA = stream(new TinyData(8, 8), 1, 2);
                    BatchStream refB = stream(new Recording(8, "B").shifted(100), 2, 2)) {
                int alphaIndex = refAll.indexOf(ref.alpha);
                for (int t = 0; t < 2; t++) {
                    try (NDManager sm = base.newSubManager()) {
                        step.run(sm, t);
                        float[][] gA = gradients(ref, refA.get(t).toNDList(sm), ps, c);
                        for (int i = 0; i < refAll.size(); i++) {
                            if (i != alphaIndex) {
                                update(refAll.get(i), gA[i], wLr);
                            }
                        }
                        float[][] gB = gradients(ref, refB.get(t).toNDList(sm), ps, c);
                        update(ref.alpha, gB[alphaIndex], aLr);
                    }
                }
                // the weights first, so that a weight step on B's gradient is named as such
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    if (i != alphaIndex) {
                        order.add(i);
                    }
                }
                order.add(alphaIndex);
                for (int i : order) {
                    float[] want = refAll.get(i).getArray().toFloatArray();
                    float[] got = all.get(i).getArray().toFloatArray();
                    // same float32 kernels in the same order, except SGD's fused update against
                    // p − lr·g here: a few ulps of values of order 1
                    assertArrayEquals(want, got, 1e-5f, "parameter " + all.get(i).getName());
                }
            }
        }
    }

    private static void update(Parameter p, float[] g, float lr) {
        float[] v = p.getArray().toFloatArray();
        for (int j = 0; j < v.length; j++) {
            v[j] -= lr * g[j];
        }
        p.getArray().set(v);
    }

    /**
     * One bilevel search of {@code MAX} steps in {@code runDir} (weights: SGD with momentum on the
     * poly schedule; α: Adam from step 2; checkpoints every 3 steps), crashing before step {@code
     * crashAt} (never when negative) or, with {@code resume}, continuing from the newest
     * checkpoint.
     *
     * @return every parameter's values at the end
     */
    private static float[][] search(Path runDir, long crashAt, boolean resume) throws Exception {
        try (NDManager base = NDManager.newBaseManager();
                Constants c = new Constants(base)) {
            Seeds.seedEngine(5);
            Mix model = new Mix();
            model.initialize(base.newSubManager(), DataType.FLOAT32, new Shape(2, 3, 8, 8));
            List<Parameter> w = new ArrayList<>(ParamIO.trainable(model));
            w.remove(model.alpha);
            ParamGroup weights = new ParamGroup("weights", w, new Sgd(0.9f, 1e-4f));
            ParamGroup arch =
                    new ParamGroup(
                            "arch",
                            List.of(model.alpha),
                            new Adam(0.5f, 0.999f, 1e-8f, 1e-3f, false));
            TrainLoop loop =
                    new TrainLoop(
                            base,
                            model,
                            List.of(weights, arch),
                            new RunDirectory(runDir),
                            new TrainLoop.Options(MAX, 1, 0, 3, 2, 2, "search", "mIoU"),
                            new PrintStream(new ByteArrayOutputStream(), true, UTF_8));
            try (OneShotSearch step =
                    new OneShotSearch(
                            model,
                            weights,
                            arch,
                            stream(new TinyData(6, 8), 1, MAX),
                            stream(new Recording(6, "B").shifted(50), 2, MAX),
                            LrSchedule.poly(0.05f, MAX, 0.9f, 0f),
                            LrSchedule.constant(0.05f),
                            2,
                            1f,
                            c,
                            new ParameterStore(base, false))) {
                long start = loop.restore(resume);
                TrainLoop.Step s =
                        (sm, t) -> {
                            if (t == crashAt) {
                                throw new IllegalStateException("simulated crash");
                            }
                            return step.run(sm, t);
                        };
                loop.run(start, s, null);
            } catch (IllegalStateException e) {
                assertEquals("simulated crash", e.getMessage());
            }
            List<Parameter> all = ParamIO.trainable(model);
            float[][] out = new float[all.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = all.get(i).getArray().toFloatArray();
            }
            return out;
        }
    }

    private static final long MAX = 9;

    /**
     * A search resumed from a checkpoint taken after the architecture updates began (step 6: four
     * Adam updates of α, whose moments and step count must come back) ends bit-identical to an
     * uninterrupted one, weights on the poly schedule included.
     */
    @Test
    void aSearchResumedAfterArchitectureUpdatesBeganEqualsAnUninterruptedOne(@TempDir Path dir)
            throws Exception {
        float[][] straight = search(dir.resolve("straight"), -1, false);
        Path broken = dir.resolve("broken");
        search(broken, 7, false);
        assertEquals(
                List.of(
                        broken.resolve("checkpoints/step-00000003"),
                        broken.resolve("checkpoints/step-00000006")),
                new Checkpointer(broken.resolve("checkpoints"), 2).list());
        float[][] resumed = search(broken, -1, true);
        for (int i = 0; i < straight.length; i++) {
            assertArrayEquals(straight[i], resumed[i], 0f, "parameter " + i);
        }
        assertEquals(
                Files.readString(dir.resolve("straight/metrics.jsonl")),
                Files.readString(broken.resolve("metrics.jsonl")));
    }

    /** λ·Σα², the penalty of the hand-computed test: its gradient is 2λα. */
    private static final ArchPenalty SQUARES =
            (store, arch, sm, c) -> {
                NDArray a = store.getValue(arch.get(0), sm.getDevice(), true);
                return a.mul(a).sum().mul(c.scalar(0.1f));
            };

    /** α after one bilevel iteration (architecture step at lr 1, plain SGD), from α = (1, −2). */
    private static float[] alphaAfterOneStep(ArchPenalty penalty) throws Exception {
        try (NDManager base = NDManager.newBaseManager();
                Constants c = new Constants(base)) {
            Engine.getInstance().setRandomSeed(7);
            Mix model = new Mix();
            model.initialize(base.newSubManager(), DataType.FLOAT32, new Shape(2, 3, 8, 8));
            model.alpha.getArray().set(new float[] {1f, -2f});
            List<Parameter> w = new ArrayList<>(ParamIO.trainable(model));
            w.remove(model.alpha);
            ParamGroup weights = new ParamGroup("weights", w, new Sgd(0f, 0f));
            ParamGroup arch = new ParamGroup("arch", List.of(model.alpha), new Sgd(0f, 0f));
            try (OneShotSearch step =
                    new OneShotSearch(
                                    model,
                                    weights,
                                    arch,
                                    stream(new TinyData(4, 8), 1, 1),
                                    stream(new TinyData(4, 8), 2, 1),
                                    LrSchedule.constant(0.05f),
                                    LrSchedule.constant(1f),
                                    0,
                                    0f,
                                    c,
                                    new ParameterStore(base, false))
                            .withPenalty(penalty)) {
                try (NDManager sm = base.newSubManager()) {
                    step.run(sm, 0);
                }
            }
            return model.alpha.getArray().toFloatArray();
        }
    }

    /**
     * The penalty enters the architecture step's gradient: with λΣα² the step moves α by an extra
     * −lr·2λα = −0.2·(1, −2) against the same step without it (same weights, data and CE gradient).
     */
    @Test
    void thePenaltyEntersTheArchitectureGradient() throws Exception {
        float[] without = alphaAfterOneStep(null);
        float[] with = alphaAfterOneStep(SQUARES);
        // float32 values of order 1: 1e-6 is ten ulps
        assertEquals(-0.2f, with[0] - without[0], 1e-6f);
        assertEquals(0.4f, with[1] - without[1], 1e-6f);
    }

    @Test
    void theSameStreamForBothSplitsIsRejected() {
        try (BatchStream s = stream(new TinyData(4, 8), 1, 2)) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new OneShotSearch(null, null, null, s, s, null, null, 0, 0f, null, null));
        }
    }
}
