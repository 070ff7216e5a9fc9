package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a parameter group packed into one contiguous buffer, so that the work after a
 * backward pass — gradient-norm clipping, the optimizer update, Polyak averaging — is a handful of
 * engine calls on one flat array instead of several calls per weight (DJL 0.36 has no {@code
 * _foreach_*} ops; PyTorch's FSDP "flat parameter" is the same idea).
 *
 * <p>{@link #pack} copies the current values into the buffer and makes every parameter's array a
 * view of its slice (the same {@code NDArray} object, whose native tensor is replaced through
 * {@code NDArray.intern}), so that everything that reads or writes parameters outside a training
 * step — checkpoints ({@link ParamIO}), evaluation, {@link Polyak#apply()} — sees the buffer with
 * no copies. Writes must stay in place ({@code set(NDIndex, NDArray)}, in-place arithmetic): DJL's
 * {@code set(Buffer)} and {@code copyTo} give a tensor new storage on this engine and would cut a
 * parameter loose from the buffer. A training step opens {@link #beginStep(NDManager)}: a fresh
 * differentiable alias of the buffer, split into one view per parameter ({@code split_with_sizes} +
 * reshape), which {@link PackedStore} hands to the blocks instead of the parameters' own arrays.
 * The backward pass then accumulates every weight's gradient into the alias's one flat gradient
 * ({@link #gradient()}): a single {@code SplitWithSizesBackward} node concatenates them. The alias
 * is new each step, so the in-place optimizer update of the buffer never meets a stale view in the
 * autograd graph.
 *
 * <p>Measured here (FastDenseNAS stage-1 step, 280 weight arrays, libtorch profile): the work after
 * the backward pass went from about 5,600 engine calls to about 25; the views add about 2 calls per
 * non-vector weight in the forward and backward passes (see fastdensenas/README.md, "Speed").
 */
public final class PackedParams implements AutoCloseable {

    private final List<Parameter> params;
    private final Map<String, Integer> index = new HashMap<>();
    private final Shape[] shapes;
    private final long[] splitPoints;
    private final NDManager manager;
    private final NDArray flat;
    private NDManager stepManager;
    private NDArray alias;
    private NDArray[] stepViews;

    private PackedParams(List<Parameter> params) {
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        int n = params.size();
        shapes = new Shape[n];
        splitPoints = new long[n - 1];
        NDArray first = params.get(0).getArray();
        DataType type = first.getDataType();
        long offset = 0;
        for (int i = 0; i < n; i++) {
            Parameter p = params.get(i);
            NDArray a = p.getArray();
            if (index.put(p.getId(), i) != null) {
                throw new IllegalArgumentException(
                        "parameter '" + p.getName() + "' is listed twice in a packed group");
            }
            if (!p.requiresGradient()) {
                throw new IllegalArgumentException(
                        "parameter '" + p.getName() + "' is not trainable and cannot be packed");
            }
            if (a.getDataType() != type || !a.getDevice().equals(first.getDevice())) {
                throw new IllegalArgumentException(
                        "a packed group needs one data type and device: '"
                                + p.getName()
                                + "' is "
                                + a.getDataType()
                                + " on "
                                + a.getDevice()
                                + ", the first is "
                                + type
                                + " on "
                                + first.getDevice());
            }
            if (a.size() == 0) {
                throw new IllegalArgumentException(
                        "parameter '" + p.getName() + "' is empty and cannot be packed");
            }
            shapes[i] = a.getShape();
            offset += a.size();
            if (i < n - 1) {
                splitPoints[i] = offset;
            }
        }
        manager = first.getManager().newSubManager();
        NDList flats = new NDList(n);
        try (NDManager scratch = manager.newSubManager()) {
            for (Parameter p : params) {
                NDArray d = p.getArray().stopGradient();
                d.attach(scratch);
                NDArray r = d.reshape(-1);
                r.attach(scratch);
                flats.add(r);
            }
            NDArray f = n == 1 ? flats.get(0).duplicate() : NDArrays.concat(flats);
            f.attach(manager);
            flat = f;
        }
        NDList views = unflatten(flat);
        for (int i = 0; i < n; i++) {
            NDArray v = views.get(i);
            v.setRequiresGradient(true);
            // the parameter keeps its NDArray object (manager, name, gradient flag, and any
            // reference a caller holds); only the native tensor behind it becomes the view
            params.get(i).getArray().intern(v);
        }
    }

    /**
     * Packs {@code params} into one buffer and makes each parameter's array a view of its slice.
     * The parameters must be initialized, trainable, non-empty and of one data type and device.
     *
     * @param params the group's parameters, in a stable order (the buffer's order)
     * @return the packed group
     */
    public static PackedParams pack(List<Parameter> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("cannot pack an empty parameter group");
        }
        return new PackedParams(params);
    }

    /** The parameters, in buffer order. */
    public List<Parameter> params() {
        return params;
    }

    /** The flat buffer (no gradient): every parameter's values, one after the other. */
    public NDArray flat() {
        return flat;
    }

    /** Number of scalar values in the group. */
    public long size() {
        return flat.size();
    }

    /** Whether {@code p} belongs to this group. */
    public boolean contains(Parameter p) {
        return index.containsKey(p.getId());
    }

    /**
     * Opens a training step: a differentiable alias of the buffer in {@code step}, whose views
     * {@link PackedStore} serves until {@code step} is closed.
     *
     * @param step the step's manager (the alias, its views and its gradient live there)
     */
    public void beginStep(NDManager step) {
        if (stepOpen()) {
            throw new IllegalStateException(
                    "a step is already open for this packed group (close its manager first)");
        }
        // the views must be recorded by autograd even when the step opens before the gradient
        // collector does (DJL turns grad mode on only inside a collector)
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            NDArray a = flat.stopGradient();
            a.attach(step);
            a.setRequiresGradient(true);
            NDList views = unflatten(a);
            views.attach(step);
            alias = a;
            stepViews = views.toArray(new NDArray[0]);
            stepManager = step;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * The value of {@code p} in the open step (a differentiable view of the step's alias), or
     * {@code null} when no step is open or {@code p} is not in this group.
     */
    public NDArray stepValue(Parameter p) {
        Integer i = index.get(p.getId());
        if (i == null || !stepOpen()) {
            return null;
        }
        return stepViews[i];
    }

    /**
     * The flat gradient of the open step after its backward pass (zeros when nothing reached the
     * group); it lives in the step's manager.
     */
    public NDArray gradient() {
        if (!stepOpen()) {
            throw new IllegalStateException(
                    "no open step: call beginStep before the forward pass and read the gradient"
                            + " before closing the step's manager");
        }
        return alias.getGradient();
    }

    /**
     * Cuts a flat array of this group's size into one array per parameter, shaped like the
     * parameters (views, in {@code flatArray}'s manager), e.g. to save a packed optimizer's state
     * in the per-parameter layout.
     */
    public NDList unflatten(NDArray flatArray) {
        if (flatArray.size() != flat.size()) {
            throw new IllegalArgumentException(
                    "expected " + flat.size() + " values, got " + flatArray.size());
        }
        NDList pieces = split(flatArray);
        NDList out = new NDList(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            out.add(shapes[i].dimension() == 1 ? pieces.get(i) : pieces.get(i).reshape(shapes[i]));
        }
        return out;
    }

    private NDList split(NDArray a) {
        if (splitPoints.length == 0) {
            return new NDList(a.reshape(shapes[0])); // a view, never the array itself
        }
        return a.split(splitPoints);
    }

    private boolean stepOpen() {
        return stepManager != null && stepManager.isOpen();
    }

    /**
     * Releases the buffer's handle. The parameters keep their views (which keep the storage alive),
     * so the network stays usable; a later {@link #pack} of the same parameters copies them again.
     */
    @Override
    public void close() {
        stepManager = null;
        alias = null;
        stepViews = null;
        manager.close();
    }
}
