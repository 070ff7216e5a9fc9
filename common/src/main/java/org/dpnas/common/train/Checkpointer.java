package org.dpnas.common.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dpnas.common.run.AtomicFiles;

/**
 * Writes and finds training checkpoints under {@code checkpoints/}. A checkpoint is a directory
 * {@code step-NNNNNNNN/} holding {@code model.params}, one {@code optimizer-GROUP.ndlist} per
 * parameter group and {@code state.json}; it is assembled in a hidden temporary directory, flushed
 * to disk and renamed into place, so a process killed at any moment leaves either a complete
 * checkpoint or none. Only the newest {@code keep} checkpoints are kept.
 */
public final class Checkpointer {

    private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");

    private final Path dir;
    private final int keep;

    /**
     * Creates a checkpointer.
     *
     * @param dir the {@code checkpoints/} directory
     * @param keep how many of the newest checkpoints to keep (at least 1)
     */
    public Checkpointer(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep_checkpoints must be >= 1, got " + keep);
        }
        this.dir = dir;
        this.keep = keep;
    }

    /** The checkpoints directory. */
    public Path dir() {
        return dir;
    }

    /**
     * Saves a checkpoint after {@code step} completed steps.
     *
     * @param step number of completed training steps
     * @param model the model
     * @param groups parameter groups whose optimizer state to save
     * @param state caller state (epoch, metrics history, ...), stored in {@code state.json}
     * @return the checkpoint directory
     */
    public Path save(long step, Block model, List<ParamGroup> groups, JsonObject state)
            throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(name(step));
        Path tmp = AtomicFiles.tempDirectory(dir, ".tmp-" + name(step) + "-");
        try {
            write(
                    tmp.resolve("model.params"),
                    out -> ParamIO.save(model, new DataOutputStream(out)));
            JsonObject optim = new JsonObject();
            for (ParamGroup g : groups) {
                NDList arrays = g.optimizer().stateArrays();
                // an optimizer that has not stepped yet has no state: an empty file
                write(
                        tmp.resolve("optimizer-" + g.name() + ".ndlist"),
                        out -> {
                            if (!arrays.isEmpty()) {
                                arrays.encode(out);
                            }
                        });
                optim.add(g.name(), g.optimizer().stateScalars());
            }
            JsonObject all = new JsonObject();
            all.addProperty("step", step);
            all.add("optimizers", optim);
            all.add("state", state);
            write(
                    tmp.resolve("state.json"),
                    out -> out.write(all.toString().getBytes(StandardCharsets.UTF_8)));
            if (Files.exists(target)) {
                deleteTree(target);
            }
            AtomicFiles.move(tmp, target);
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
        prune();
        return target;
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = new ArrayList<>();
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve("state.json")))
                    .sorted(Comparator.comparingLong(Checkpointer::stepOf))
                    .forEach(out::add);
            return out;
        }
    }

    /**
     * Restores model parameters and optimizer state from a checkpoint.
     *
     * @param checkpoint a checkpoint directory
     * @param model the model, initialised with the same architecture
     * @param groups the parameter groups, in the same order and with the same names as saved
     * @param manager the manager that will own restored optimizer state
     * @return the saved {@code state.json} object (keys {@code step}, {@code state})
     */
    public static JsonObject load(
            Path checkpoint, Block model, List<ParamGroup> groups, NDManager manager)
            throws IOException {
        Path params = checkpoint.resolve("model.params");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
            ParamIO.load(model, new DataInputStream(in), params.toString());
        }
        JsonObject all =
                JsonParser.parseString(Files.readString(checkpoint.resolve("state.json")))
                        .getAsJsonObject();
        JsonObject optim = all.getAsJsonObject("optimizers");
        for (ParamGroup g : groups) {
            Path f = checkpoint.resolve("optimizer-" + g.name() + ".ndlist");
            if (!optim.has(g.name()) || !Files.exists(f)) {
                throw new IOException(
                        checkpoint + ": no optimizer state for parameter group '" + g.name() + "'");
            }
            NDList arrays;
            if (Files.size(f) == 0) {
                arrays = new NDList();
            } else {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(f))) {
                    arrays = NDList.decode(manager, in);
                } catch (RuntimeException e) {
                    throw new IOException(f + ": unreadable optimizer state: " + e.getMessage(), e);
                }
            }
            g.optimizer().restore(g.params(), arrays, optim.getAsJsonObject(g.name()), manager);
        }
        return all;
    }

    /** The step number encoded in a checkpoint directory name. */
    public static long stepOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(checkpoint + " is not a checkpoint directory");
        }
        return Long.parseLong(m.group(1));
    }

    private static String name(long step) {
        return String.format("step-%08d", step);
    }

    private void prune() throws IOException {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(all.get(i));
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(".tmp-")) {
                    deleteTree(p); // left by a process killed while saving
                }
            }
        }
    }

    private static void write(Path file, AtomicFiles.Writer writer) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            writer.write(out);
        }
        AtomicFiles.fsync(file);
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }
}
