package org.dpnas.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Makes the real-data tests visible in the build log: a JUnit Platform listener (registered with
 * {@link java.util.ServiceLoader} from {@code META-INF/services}) that counts the tests tagged
 * {@value RealData#TAG} which ran and which were skipped.
 *
 * <p>Surefire runs each module's tests in its own JVM, so no listener sees the whole build. Each
 * module's listener writes its counts to {@code <root>/target/real-data/<build>/<module>}, where
 * {@code <build>} is the reactor's start time (system property {@code dpnas.build}); the JVM with
 * {@code dpnas.real.data.summary=true} — the last module of the reactor, {@code cli} — adds up the
 * counts of its build and prints the one line, for example {@code real-data tests: 6 skipped
 * (../shared/data not found at /x/shared/data)} or {@code real-data tests: 6 ran against
 * /x/shared/data}. A JVM without the build property (an IDE run) prints its own counts.
 */
public final class RealDataSummary implements TestExecutionListener {

    private int ran;
    private int skipped;

    private static boolean isRealData(TestIdentifier t) {
        return t.isTest() && t.getTags().contains(TestTag.create(RealData.TAG));
    }

    @Override
    public void executionSkipped(TestIdentifier t, String reason) {
        if (isRealData(t)) {
            skipped++;
        }
    }

    @Override
    public void executionFinished(TestIdentifier t, TestExecutionResult result) {
        if (!isRealData(t)) {
            return;
        }
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            skipped++;
        } else {
            ran++;
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        String build = System.getProperty("dpnas.build");
        String home = System.getProperty("dpnas.home");
        if (build == null || home == null) {
            if (ran + skipped > 0) {
                System.out.println(line(ran, skipped));
            }
            return;
        }
        Path dir = Path.of(home, "target", "real-data", build);
        try {
            Files.createDirectories(dir);
            String module = Path.of("").toAbsolutePath().getFileName().toString();
            Files.writeString(
                    dir.resolve(module), ran + " " + skipped + "\n", StandardCharsets.UTF_8);
            if (Boolean.getBoolean("dpnas.real.data.summary")) {
                int r = 0;
                int s = 0;
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        List<String> v =
                                List.of(
                                        Files.readString(f, StandardCharsets.UTF_8)
                                                .trim()
                                                .split(" "));
                        r += Integer.parseInt(v.get(0));
                        s += Integer.parseInt(v.get(1));
                    }
                }
                System.out.println(line(r, s));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The summary line for {@code ran} tests that ran and {@code skipped} that did not. */
    static String line(int ran, int skipped) {
        Path data = RealData.dir();
        if (skipped == 0) {
            return "real-data tests: " + ran + " ran against " + data;
        }
        String why =
                Files.isDirectory(data)
                        ? "data incomplete under " + data + ", see each test's skip message"
                        : "../shared/data not found at "
                                + data
                                + "; put CamVid and BCCD there to run them";
        return "real-data tests: "
                + skipped
                + " skipped ("
                + why
                + ")"
                + (ran > 0 ? ", " + ran + " ran" : "");
    }
}
