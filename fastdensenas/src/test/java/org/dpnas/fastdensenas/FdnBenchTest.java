package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dpnas bench fastdensenas}: every step kind timed in wall, thread-CPU and process-CPU time;
 * unknown presets refused by name.
 */
class FdnBenchTest {

    /** The granularity of the JVM's process CPU time on Linux (USER_HZ = 100). */
    private static final double PROCESS_CPU_TICK_MS = 10.0;

    @Test
    void tinyPresetTimesEachStepInThreadAndProcessCpu(@TempDir Path home) throws Exception {
        String old = System.getProperty("dpnas.home");
        // a home without configs/fastdensenas/tiny.json: the whole-child timing is left out
        System.setProperty("dpnas.home", home.toString());
        FdnBench.Result r;
        try {
            r = FdnBench.run("tiny", 0, 1, 0);
        } finally {
            if (old == null) {
                System.clearProperty("dpnas.home");
            } else {
                System.setProperty("dpnas.home", old);
            }
        }
        assertTrue(r.header().contains("child_seconds not measured"), r.header());
        Map<String, Double> n = r.numbers();
        List<String> steps = List.of("stage1_step", "stage2_step", "controller_update");
        assertEquals(
                List.of(
                        "stage1_step_ms",
                        "stage1_step_cpu_ms",
                        "stage1_step_process_cpu_ms",
                        "stage2_step_ms",
                        "stage2_step_cpu_ms",
                        "stage2_step_process_cpu_ms",
                        "controller_update_ms",
                        "controller_update_cpu_ms",
                        "controller_update_process_cpu_ms"),
                List.copyOf(n.keySet()));
        for (String s : steps) {
            double cpu = n.get(s + "_cpu_ms");
            double process = n.get(s + "_process_cpu_ms");
            assertTrue(n.get(s + "_ms") > 0 && cpu > 0, s + " " + n);
            // the process's CPU time holds the calling thread's, but the JVM reads it in clock
            // ticks (Linux's USER_HZ = 100: 10 ms), so one step's difference of two readings can
            // fall short of the true value by less than a tick (measured: 150.0 against a thread
            // time of 153.7 ms); each step's process time exceeds its thread time minus a tick, and
            // so do the medians
            assertTrue(process > cpu - PROCESS_CPU_TICK_MS, s + " " + n);
        }
    }

    @Test
    void unknownPresetsAreNamed() {
        assertEquals(21, FdnBench.preset("small")[4]);
        var e = assertThrows(IllegalArgumentException.class, () -> FdnBench.preset("huge"));
        assertTrue(e.getMessage().contains("'huge'"), e.getMessage());
        assertTrue(e.getMessage().contains("tiny, small or paper"), e.getMessage());
    }
}
