package org.dpnas.common.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a block's parameters from a safetensors file by {@link TorchNames PyTorch name} and saves
 * them back under the same names, so that {@code safetensors.torch.save_file(model.state_dict(),
 * path)} of a module with the same structure loads as is.
 *
 * <p>Loading ignores {@code num_batches_tracked} (a counter PyTorch keeps next to every BatchNorm)
 * and every tensor under one of the given ignored prefixes (a classification head). Everything is
 * checked before the first value is copied, so a refused file leaves the block unchanged. Strict
 * loading refuses a file with missing or unexpected tensors (all listed) or a shape that differs
 * from the parameter's (both shapes named); non-strict loading copies what matches and reports the
 * rest.
 */
public final class WeightFiles {

    /** The suffix of PyTorch's BatchNorm counters, never loaded. */
    public static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

    /**
     * What a load did.
     *
     * @param loaded names copied into the block
     * @param missing parameters of the block the file does not have
     * @param unexpected tensors of the file the block does not have
     * @param mismatched tensors whose shape differs from the parameter's, with both shapes
     * @param ignored tensors skipped on purpose ({@code num_batches_tracked}, ignored prefixes)
     */
    public record LoadReport(
            List<String> loaded,
            List<String> missing,
            List<String> unexpected,
            List<String> mismatched,
            List<String> ignored) {

        /** Whether every parameter was loaded and every tensor used. */
        public boolean complete() {
            return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
        }

        /** A multi-line description of what did not match (empty when complete). */
        public String problems() {
            StringBuilder sb = new StringBuilder();
            list(sb, "missing from the file", missing);
            list(sb, "unexpected in the file", unexpected);
            list(sb, "shape mismatch", mismatched);
            return sb.toString().strip();
        }

        private static void list(StringBuilder sb, String what, List<String> names) {
            if (!names.isEmpty()) {
                sb.append(what).append(" (").append(names.size()).append("): ");
                sb.append(String.join(", ", names)).append('\n');
            }
        }
    }

    private WeightFiles() {}

    /**
     * Loads an initialised block's parameters from a file.
     *
     * @param block the block, initialised
     * @param file the safetensors file
     * @param strict refuse the file unless every parameter and tensor matches
     * @param ignoredPrefixes name prefixes of tensors to skip, e.g. {@code "fc."}
     * @return what was loaded and what did not match
     * @throws SafeTensorsException when the file is invalid, or (strict) does not match the block
     */
    public static LoadReport load(
            Block block, Path file, boolean strict, Set<String> ignoredPrefixes)
            throws SafeTensorsException {
        Map<String, Parameter> params = TorchNames.of(block);
        try (SafeTensors st = SafeTensors.open(file)) {
            List<String> loaded = new ArrayList<>();
            List<String> unexpected = new ArrayList<>();
            List<String> mismatched = new ArrayList<>();
            List<String> ignored = new ArrayList<>();
            for (TensorInfo t : st.tensors().values()) {
                String name = t.name();
                if (name.endsWith(NUM_BATCHES_TRACKED) || ignoredPrefix(name, ignoredPrefixes)) {
                    ignored.add(name);
                    continue;
                }
                Parameter p = params.get(name);
                if (p == null) {
                    unexpected.add(name);
                    continue;
                }
                Shape want = p.getArray().getShape();
                if (!want.equals(new Shape(t.shape()))) {
                    String msg =
                            "file has "
                                    + t.shapeText()
                                    + ", the block's parameter has "
                                    + SafeTensors.shapeText(want.getShape());
                    if (strict) {
                        throw new SafeTensorsException(file, name, "shape mismatch: " + msg);
                    }
                    mismatched.add(name + " (" + msg + ")");
                    continue;
                }
                if (!t.dtype().isReadableFloat()) {
                    throw new SafeTensorsException(
                            file,
                            name,
                            "unsupported dtype " + t.dtype() + " (readable: F32, F64, F16, BF16)");
                }
                loaded.add(name);
            }
            List<String> missing = new ArrayList<>();
            for (String name : params.keySet()) {
                if (!st.tensors().containsKey(name)) {
                    missing.add(name);
                }
            }
            LoadReport report = new LoadReport(loaded, missing, unexpected, mismatched, ignored);
            if (strict && !report.complete()) {
                throw new SafeTensorsException(
                        file,
                        null,
                        "does not match the block (use --strict false to load what matches):\n"
                                + report.problems());
            }
            for (String name : loaded) {
                copy(st, name, params.get(name).getArray());
            }
            return report;
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new SafeTensorsException(file, null, "cannot close: " + e.getMessage());
        }
    }

    private static boolean ignoredPrefix(String name, Set<String> prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static void copy(SafeTensors st, String name, NDArray target)
            throws SafeTensorsException {
        try (NDManager scratch = target.getManager().newSubManager()) {
            NDArray value;
            if (target.getDataType() == DataType.FLOAT64) {
                value = scratch.create(st.readDoubles(name), target.getShape());
            } else {
                value =
                        scratch.create(st.readFloats(name), target.getShape())
                                .toType(target.getDataType(), false);
            }
            target.set(new NDIndex("..."), value.toDevice(target.getDevice(), false));
        }
    }

    /**
     * Writes all parameters of an initialised block (weights and running statistics) as float32
     * under their PyTorch names.
     *
     * @param block the block
     * @param file the target, written atomically
     * @param metadata string metadata for the header
     * @return the number of scalar values written
     * @throws IOException when the file cannot be written
     */
    public static long save(Block block, Path file, Map<String, String> metadata)
            throws IOException {
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, Parameter> e : TorchNames.of(block).entrySet()) {
            NDArray a = e.getValue().getArray();
            float[] data = a.toType(DataType.FLOAT32, false).toFloatArray();
            tensors.put(e.getKey(), new SafeTensors.Tensor(a.getShape().getShape(), data));
            total += data.length;
        }
        SafeTensors.write(file, tensors, metadata);
        return total;
    }
}
