package org.dpnas.common.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an external command ({@code sbatch}, {@code squeue}, ...) and collects its output. */
@FunctionalInterface
public interface Shell {

    /**
     * Exit code and output of one command.
     *
     * @param code the exit code
     * @param out standard output
     * @param err standard error
     */
    record Result(int code, String out, String err) {
        /** Standard error, or standard output when that is empty, stripped: for messages. */
        public String message() {
            return (err.isBlank() ? out : err).strip();
        }
    }

    /**
     * Runs a command to its end.
     *
     * @param command the program and its arguments
     * @return its exit code and output
     * @throws IOException if it cannot be started, or does not end within a minute
     */
    Result run(List<String> command) throws IOException;

    /** The real thing: a child process, killed after 60 s. */
    static Shell system() {
        return command -> {
            Process p;
            try {
                p = new ProcessBuilder(command).start();
            } catch (IOException e) {
                throw new IOException(command.get(0) + ": cannot run: " + e.getMessage(), e);
            }
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", command) + ": no answer within 60 s");
                }
                return new Result(p.exitValue(), out.join(), err.join());
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
        };
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (in) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return "";
                    }
                });
    }
}
