package org.dpnas.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.nn.BaselineSegNet;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainLoopTest {

    private static final int SIDE = 16;
    private static final int BATCH = 4;

    /** Everything one training run needs, built the same way every time from the seed. */
    private static final class Rig implements AutoCloseable {
        final NDManager base = NDManager.newBaseManager();
        final NDManager modelManager = base.newSubManager();
        final Constants constants = new Constants(base);
        final BaselineSegNet model = new BaselineSegNet(2, 8);
        final ParamGroup weights;
        final SegmentationStep step;
        final TrainLoop loop;
        final PrintStream console =
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        Rig(Path runDir, long maxSteps, long ckptEvery) {
            Seeds.seedEngine(42);
            model.initialize(modelManager, DataType.FLOAT32, new Shape(BATCH, 3, SIDE, SIDE));
            weights = new ParamGroup("weights", ParamIO.trainable(model), new Sgd(0.9f, 1e-4f));
            LrSchedule lr = LrSchedule.poly(0.05f, maxSteps, 0.9f, 0f);
            SegBatcher batcher =
                    new SegBatcher(
                            new TinyData(12, SIDE),
                            SegBatcher.IMAGENET_MEAN,
                            SegBatcher.IMAGENET_STD);
            step =
                    new SegmentationStep(
                            model,
                            weights,
                            batcher,
                            new EpochSampler(12, BATCH, 42),
                            lr,
                            1f,
                            constants,
                            new ParameterStore(base, false),
                            maxSteps);
            TrainLoop.Options o =
                    new TrainLoop.Options(maxSteps, 2, 0, ckptEvery, 2, BATCH, "test", "mIoU");
            loop =
                    new TrainLoop(
                                    base,
                                    model,
                                    List.of(weights),
                                    new RunDirectory(runDir),
                                    o,
                                    console)
                            .logFields(
                                    t -> {
                                        JsonObject f = new JsonObject();
                                        f.addProperty("lr", lr.at(t));
                                        return f;
                                    });
        }

        float[][] params() {
            List<float[]> out = new ArrayList<>();
            for (var p : model.getParameters()) {
                out.add(p.getValue().getArray().toFloatArray());
            }
            return out.toArray(new float[0][]);
        }

        @Override
        public void close() {
            step.close();
            base.close();
        }
    }

    @Test
    void aStepLeavesNoNewArraysInTheModelManager(@TempDir Path dir) throws Exception {
        try (Rig rig = new Rig(dir, 10, 100)) {
            // the first step allocates the optimizer state (momentum buffers) once
            try (NDManager sm = rig.base.newSubManager()) {
                rig.step.run(sm, 0);
            }
            int before = rig.modelManager.getManagedArrays().size();
            int baseBefore = rig.base.getManagedArrays().size();
            for (int t = 1; t < 4; t++) {
                try (NDManager sm = rig.base.newSubManager()) {
                    rig.step.run(sm, t);
                }
            }
            assertEquals(before, rig.modelManager.getManagedArrays().size());
            assertEquals(baseBefore, rig.base.getManagedArrays().size());
        }
    }

    @Test
    void anInterruptedThenResumedRunEqualsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path broken = dir.resolve("broken");
        float[][] expected;
        try (Rig rig = new Rig(straight, 10, 4)) {
            rig.loop.run(rig.loop.restore(false), rig.step, null);
            expected = rig.params();
        }
        try (Rig rig = new Rig(broken, 10, 4)) {
            TrainLoop.Step crashing =
                    (sm, t) -> {
                        if (t == 6) {
                            throw new IllegalStateException("simulated crash");
                        }
                        return rig.step.run(sm, t);
                    };
            assertThrows(IllegalStateException.class, () -> rig.loop.run(0, crashing, null));
        }
        // the crash left records past the checkpoint at step 4 in the log
        assertTrue(MetricsLog.read(broken.resolve("metrics.jsonl")).size() > 2);
        try (Rig rig = new Rig(broken, 10, 4)) {
            long start = rig.loop.restore(true);
            assertEquals(4, start);
            TrainLoop.Result r = rig.loop.run(start, rig.step, null);
            assertEquals(10, r.steps());
            float[][] got = rig.params();
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(expected[i], got[i], 0f, "parameter " + i);
            }
        }
        assertEquals(
                Files.readString(straight.resolve("metrics.jsonl")),
                Files.readString(broken.resolve("metrics.jsonl")));
        assertTrue(Files.exists(broken.resolve("summary.csv")));
        assertTrue(Files.exists(broken.resolve("curves.png")));
    }

    @Test
    void aNaNLossStopsTheRunNamingTheStepAndKeepsTheLastGoodCheckpoint(@TempDir Path dir)
            throws Exception {
        try (Rig rig = new Rig(dir, 20, 4)) {
            TrainLoop.Step poisoned =
                    (sm, t) -> {
                        NDArray loss = rig.step.run(sm, t);
                        return t == 5 ? loss.add(sm.create(Float.NaN)) : loss;
                    };
            NonFiniteException e =
                    assertThrows(NonFiniteException.class, () -> rig.loop.run(0, poisoned, null));
            assertEquals(6, e.step());
            assertTrue(e.getMessage().contains("at step 6"), e.getMessage());
            assertTrue(e.getMessage().contains("step-00000004"), e.getMessage());
            Checkpointer c = new Checkpointer(dir.resolve("checkpoints"), 2);
            assertEquals(List.of(dir.resolve("checkpoints/step-00000004")), c.list());
        }
    }

    /**
     * The parameter guard, apart from the loss guard: step 8 returns a finite loss (computed before
     * the poisoning) but leaves a NaN weight; the checkpoint at step 8 is refused naming the step
     * and the last good checkpoint, which stays the newest on disk.
     */
    @Test
    void aNaNParameterWithAFiniteLossIsNeverCheckpointed(@TempDir Path dir) throws Exception {
        try (Rig rig = new Rig(dir, 20, 4)) {
            TrainLoop.Step poisoned =
                    (sm, t) -> {
                        NDArray loss = rig.step.run(sm, t);
                        if (t == 7) {
                            NDArray w = rig.model.getParameters().valueAt(0).getArray();
                            float[] v = w.toFloatArray();
                            v[v.length - 1] = Float.NaN;
                            w.set(v);
                        }
                        return loss;
                    };
            NonFiniteException e =
                    assertThrows(NonFiniteException.class, () -> rig.loop.run(0, poisoned, null));
            assertEquals(8, e.step());
            assertTrue(e.getMessage().contains("parameters became NaN"), e.getMessage());
            assertTrue(e.getMessage().contains("step-00000004"), e.getMessage());
            Checkpointer c = new Checkpointer(dir.resolve("checkpoints"), 2);
            assertEquals(List.of(dir.resolve("checkpoints/step-00000004")), c.list());
        }
    }

    @Test
    void resumeWithoutACheckpointStartsFromStepZeroWithAnEmptyLog(@TempDir Path dir)
            throws Exception {
        // a run killed before its first checkpoint left a log line behind
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":2,\"loss\":1.0}\n");
        try (Rig rig = new Rig(dir, 4, 4)) {
            assertEquals(0, rig.loop.restore(true));
            assertEquals("", Files.readString(dir.resolve("metrics.jsonl")));
        }
    }

    @Test
    void checkpointsAreCompleteAndPruned(@TempDir Path dir) throws Exception {
        try (Rig rig = new Rig(dir, 12, 2)) {
            // a leftover of a process killed while saving
            Files.createDirectories(dir.resolve("checkpoints/.tmp-step-00000002-123"));
            Map<String, Double> none = Map.of();
            rig.loop.run(0, rig.step, s -> none);
            Checkpointer c = new Checkpointer(dir.resolve("checkpoints"), 2);
            assertEquals(
                    List.of(
                            dir.resolve("checkpoints/step-00000010"),
                            dir.resolve("checkpoints/step-00000012")),
                    c.list());
            assertFalse(Files.exists(dir.resolve("checkpoints/.tmp-step-00000002-123")));
            for (String f :
                    new String[] {"model.params", "optimizer-weights.ndlist", "state.json"}) {
                assertTrue(Files.exists(dir.resolve("checkpoints/step-00000012").resolve(f)), f);
            }
        }
    }

    @Test
    void theModelLearnsTheTinyTask(@TempDir Path dir) throws Exception {
        try (Rig rig = new Rig(dir, 30, 100)) {
            TrainLoop.Result r = rig.loop.run(0, rig.step, null);
            List<JsonObject> log = MetricsLog.read(dir.resolve("metrics.jsonl"));
            double first = log.get(0).get("loss").getAsDouble();
            assertTrue(r.lastLoss() < 0.75 * first, "loss " + first + " → " + r.lastLoss());
            // forward in inference mode still works with the trained BatchNorm statistics
            try (NDManager sm = rig.base.newSubManager()) {
                NDList out =
                        rig.model.forward(
                                new ParameterStore(sm, false),
                                new NDList(sm.zeros(new Shape(1, 3, SIDE, SIDE))),
                                false);
                assertEquals(new Shape(1, 2, SIDE, SIDE), out.head().getShape());
            }
        }
    }
}
