package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.dpnas.common.nn.BaselineSegNet;
import org.dpnas.common.train.ParamIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Distillation from a teacher run: its network is rebuilt from the run and its logits cached. */
class TeacherTest {

    @Test
    void teacherRunIsRebuiltAndItsLogitsAreCachedForStageOne(@TempDir Path tmp) throws Exception {
        Path teacher = tmp.resolve("teacher");
        Path ckpt = teacher.resolve("checkpoints/step-00000003");
        Files.createDirectories(ckpt);
        Files.writeString(
                teacher.resolve("config.resolved.json"),
                "{\"model\": {\"name\": \"baseline\", \"width\": 8}}");
        try (NDManager m = NDManager.newBaseManager()) {
            BaselineSegNet net = new BaselineSegNet(5, 8);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            try (DataOutputStream out =
                    new DataOutputStream(
                            new BufferedOutputStream(
                                    Files.newOutputStream(ckpt.resolve("model.params"))))) {
                ParamIO.save(net, out);
            }
        }
        var c = FdnSearchTest.config(FdnSearchTest.shortTiny("search.teacher=\"" + teacher + "\""));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ChildEvaluator ev =
                new ChildEvaluator(c, new PrintStream(log, true, StandardCharsets.UTF_8))) {
            ev.evaluate(
                    DecoderSpace.paper().sample(new Random(5)),
                    tmp.resolve("search/trials/trial-0000"));
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("teacher: baseline from"), text);
        assertTrue(text.contains("labels and teacher logits"), text);
    }
}
