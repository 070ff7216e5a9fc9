package org.dpnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.dpnas.cli.MainTest.Fake;
import org.dpnas.cli.MainTest.Result;
import org.junit.jupiter.api.Test;

class CommandGroupTest {

    private final Fake model =
            new Fake("model", new Options(), List.of("CHECKPOINT"), (cl, o, e) -> 0);
    private final Fake seg =
            new Fake(
                    "seg",
                    Opts.of(Opts.value("batch-size", "N", "images per batch", "8")),
                    List.of("RUN_DIR"),
                    (cl, out, err) -> {
                        out.println(
                                "batch="
                                        + Args.intValue(cl, "batch-size", 8)
                                        + " run="
                                        + Args.positional(cl, 0, "RUN_DIR"));
                        return 5;
                    });
    private final CommandGroup eval = new CommandGroup("eval", "evaluate a run", model, seg);
    private final Main main = new Main(List.of(eval), "t", false);

    @Test
    void dispatchesOnFirstWordWithSubVerbOptions() {
        Result r = MainTest.invoke(main, "eval", "seg", "--batch-size", "2", "runs/a");
        assertEquals(5, r.code(), r.err());
        assertEquals("batch=2 run=runs/a\n", r.out());
        assertNull(model.seen);
    }

    @Test
    void groupHelpListsSubVerbs() {
        Result r = MainTest.invoke(main, "eval", "--help");
        assertEquals(0, r.code());
        List<String> lines = r.out().lines().toList();
        assertEquals("usage: dpnas eval SUBVERB [options]", lines.get(0));
        assertTrue(lines.contains("evaluate a run"), r.out());
        assertTrue(lines.contains("  model   summary of model"), r.out());
        assertTrue(lines.contains("  seg     summary of seg"), r.out());
        assertEquals(r, MainTest.invoke(main, "eval", "-h"));
        assertEquals(r, MainTest.invoke(main, "eval", "help"));
        assertEquals(r, MainTest.invoke(main, "help", "eval"));
    }

    @Test
    void groupWithoutSubVerbIsUsageError() {
        Result r = MainTest.invoke(main, "eval");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("usage: dpnas eval SUBVERB [options]\n"), r.err());
    }

    @Test
    void subVerbHelpShowsItsUsageAndOptions() {
        Result r = MainTest.invoke(main, "eval", "seg", "--help");
        assertEquals(0, r.code());
        assertEquals("usage: dpnas eval seg [options] RUN_DIR", r.out().lines().findFirst().get());
        assertTrue(r.out().contains("--batch-size <N>"), r.out());
        assertTrue(r.out().contains("images per batch (default: 8)"), r.out());
        assertEquals(r, MainTest.invoke(main, "help", "eval", "seg"));
        assertEquals(r, MainTest.invoke(main, "eval", "help", "seg"));
        assertNull(seg.seen);
    }

    @Test
    void unknownSubVerbIsUsageErrorWithSuggestion() {
        Result r = MainTest.invoke(main, "eval", "nope");
        assertEquals(2, r.code());
        assertEquals(
                List.of(
                        "dpnas eval: unknown sub-verb 'nope'",
                        "usage: dpnas eval SUBVERB [options]",
                        "Run 'dpnas eval --help' for its sub-verbs."),
                r.errLines());
        assertEquals(
                "dpnas eval: unknown sub-verb 'sge' (did you mean 'seg'?)",
                MainTest.invoke(main, "eval", "sge").errLines().get(0));
    }

    @Test
    void subVerbErrorsNameTheFullCommand() {
        Result unknown = MainTest.invoke(main, "eval", "seg", "--batch", "2");
        assertEquals(2, unknown.code());
        assertEquals("dpnas eval seg: unknown option '--batch'", unknown.errLines().get(0));
        assertEquals("usage: dpnas eval seg [options] RUN_DIR", unknown.errLines().get(1));

        Result missing = MainTest.invoke(main, "eval", "seg");
        assertEquals(2, missing.code());
        assertEquals("dpnas eval seg: missing argument RUN_DIR\n", missing.err());

        Result option = MainTest.invoke(main, "eval", "--batch-size", "2", "seg");
        assertEquals(2, option.code());
        assertEquals("dpnas eval: unknown option '--batch-size'", option.errLines().get(0));
    }

    @Test
    void nestedGroupsDispatch() {
        CommandGroup data =
                new CommandGroup("data", "datasets", new CommandGroup("voc", "VOC", seg));
        Result r = MainTest.invoke(new Main(List.of(data), "t", false), "data", "voc", "seg", "r");
        assertEquals(5, r.code(), r.err());
        assertEquals("batch=8 run=r\n", r.out());
    }

    @Test
    void runDispatchesOnParsedPositionals() throws Exception {
        Result captured = capture(eval);
        assertEquals(5, captured.code());
        assertEquals("batch=3 run=x\n", captured.out());
    }

    private static Result capture(CommandGroup group) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl =
                new DefaultParser()
                        .parse(new Options(), new String[] {"seg", "--batch-size", "3", "x"}, true);
        int code =
                group.run(
                        cl,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void rejectsDuplicateAndMissingSubVerbs() {
        assertThrows(IllegalArgumentException.class, () -> new CommandGroup("eval", "e", seg, seg));
        assertThrows(IllegalArgumentException.class, () -> new CommandGroup("eval", "e"));
    }
}
