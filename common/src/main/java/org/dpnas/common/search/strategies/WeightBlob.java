package org.dpnas.common.search.strategies;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.dpnas.common.run.AtomicFiles;

/**
 * Float64 vectors of a strategy's controller (weights, optimizer moments) inside its JSON state: as
 * base64 in the JSON, or — when a checkpoint directory is given — in a binary file the state names,
 * with its SHA-256 either way, so a restored state is checked byte for byte. Keeps the three newest
 * files of a prefix.
 */
final class WeightBlob {

    private WeightBlob() {}

    /** Writes the vectors into {@code o} (fields {@code weights_sha256} and a file or base64). */
    static void write(JsonObject o, Path dir, String prefix, long tag, double[]... vectors) {
        int n = 0;
        for (double[] v : vectors) {
            n += v.length;
        }
        ByteBuffer b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (double[] v : vectors) {
            for (double x : v) {
                b.putDouble(x);
            }
        }
        byte[] bytes = b.array();
        o.addProperty("weights_sha256", sha256(bytes));
        if (dir == null) {
            o.addProperty("weights_base64", Base64.getEncoder().encodeToString(bytes));
            return;
        }
        String name = String.format("%s-%08d.bin", prefix, tag);
        try {
            Files.createDirectories(dir);
            Path tmp = AtomicFiles.tempFile(dir, prefix, ".tmp");
            Files.write(tmp, bytes);
            AtomicFiles.move(tmp, dir.resolve(name));
            List<Path> files = new ArrayList<>();
            try (var s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().matches(prefix + "-\\d+\\.bin"))
                        .sorted()
                        .forEach(files::add);
            }
            for (int i = 0; i < files.size() - 3; i++) {
                if (!files.get(i).getFileName().toString().equals(name)) {
                    Files.deleteIfExists(files.get(i));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write controller checkpoint " + name, e);
        }
        o.addProperty("weights_file", name);
    }

    /**
     * Reads the vectors written by {@link #write} into the given arrays.
     *
     * @throws IllegalArgumentException naming the field that is missing or does not match
     */
    static void read(JsonObject o, Path dir, double[]... vectors) {
        if (!o.has("weights_sha256")) {
            throw new IllegalArgumentException("search state lacks the field 'weights_sha256'");
        }
        byte[] bytes;
        if (o.has("weights_base64")) {
            bytes = Base64.getDecoder().decode(o.get("weights_base64").getAsString());
        } else if (o.has("weights_file")) {
            if (dir == null) {
                throw new IllegalArgumentException(
                        "search state names 'weights_file' but no checkpoint directory is set");
            }
            Path file = dir.resolve(o.get("weights_file").getAsString());
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "search state field 'weights_file': cannot read " + file, e);
            }
        } else {
            throw new IllegalArgumentException(
                    "search state lacks the field 'weights_file' or 'weights_base64'");
        }
        if (!sha256(bytes).equals(o.get("weights_sha256").getAsString())) {
            throw new IllegalArgumentException(
                    "search state field 'weights_sha256' does not match the controller weights");
        }
        int n = 0;
        for (double[] v : vectors) {
            n += v.length;
        }
        if (bytes.length != 8 * n) {
            throw new IllegalArgumentException(
                    "controller weights have " + bytes.length + " bytes, expected " + 8 * n);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (double[] v : vectors) {
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getDouble();
            }
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
