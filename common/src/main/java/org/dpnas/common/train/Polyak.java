package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Polyak averaging of weights (Polyak and Juditsky 1992, "Acceleration of stochastic approximation
 * by averaging"), as FastDenseNAS evaluates its children (decay 0.9 in stage 1, 0.99 in stage 2):
 * after each step {@code avg ← d·avg + (1−d)·w}; {@link #apply()} copies the averages into the
 * weights. It averages parameters' arrays or, cheaper, the flat buffers of {@link PackedParams}
 * groups (three engine calls per buffer instead of three per weight). Runs outside autograd, on its
 * own arrays.
 */
public final class Polyak implements AutoCloseable {

    private final List<NDArray> weights;
    private final NDManager manager;
    private final NDList average = new NDList();
    private final NDArray oneMinusDecay;

    private Polyak(float decay, List<NDArray> weights) {
        if (!(decay >= 0f && decay < 1f)) {
            throw new IllegalArgumentException("Polyak decay must be in [0, 1), got " + decay);
        }
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("Polyak averaging needs at least one parameter");
        }
        this.weights = List.copyOf(weights);
        this.manager = weights.get(0).getManager().newSubManager();
        for (NDArray w : weights) {
            NDArray a = w.duplicate();
            a.attach(manager);
            average.add(a);
        }
        NDArray c =
                manager.create((double) (1f - decay)).toType(weights.get(0).getDataType(), false);
        c.attach(manager);
        oneMinusDecay = c;
    }

    /**
     * Starts the averages at the parameters' current values.
     *
     * @param params the weights to average
     * @param decay the decay d in [0, 1)
     */
    public Polyak(List<Parameter> params, float decay) {
        this(decay, arrays(params));
    }

    /**
     * Averages the flat buffers of packed groups, starting at their current values.
     *
     * @param groups the packed groups
     * @param decay the decay d in [0, 1)
     * @return the averaging
     */
    public static Polyak ofPacked(List<PackedParams> groups, float decay) {
        List<NDArray> flats = new ArrayList<>(groups.size());
        for (PackedParams g : groups) {
            flats.add(g.flat());
        }
        return new Polyak(decay, flats);
    }

    private static List<NDArray> arrays(List<Parameter> params) {
        List<NDArray> out = new ArrayList<>(params.size());
        for (Parameter p : params) {
            out.add(p.getArray());
        }
        return out;
    }

    /**
     * One averaging step after a weight update, {@code avg ← avg − (1−d)·(avg − w)}: three engine
     * ops per averaged array and no copy of it (this runs once per training step).
     */
    public void update() {
        try (NDManager step = manager.newSubManager()) {
            for (int i = 0; i < weights.size(); i++) {
                NDArray a = average.get(i);
                NDArray diff = a.sub(weights.get(i));
                diff.attach(step);
                a.subi(diff.muli(oneMinusDecay));
            }
        }
    }

    /**
     * Copies the averages into the weights, in place (so a packed group's parameters, views of its
     * buffer, see them; DJL's {@code copyTo} would give the buffer new storage instead).
     */
    public void apply() {
        for (int i = 0; i < weights.size(); i++) {
            weights.get(i).set(ALL, average.get(i));
        }
    }

    private static final NDIndex ALL = new NDIndex("...");

    /** The average of array {@code i} (a parameter, or a packed group's flat buffer). */
    public NDArray average(int i) {
        return average.get(i);
    }

    @Override
    public void close() {
        manager.close();
    }
}
