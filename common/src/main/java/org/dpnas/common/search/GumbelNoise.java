package org.dpnas.common.search;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.function.DoubleSupplier;
import org.dpnas.common.search.rl.SplitMix64;
import org.dpnas.common.train.Seeds;

/**
 * A checkpointable stream of standard Gumbel draws, {@code g = −log(−log u)} with u uniform in (0,
 * 1), for the samplers that perturb architecture logits (GDAS's Gumbel-max, FBNet's
 * Gumbel-softmax). The uniforms come from a {@link SplitMix64} stream derived from the run's seed
 * and a stream name; its state is one long, written as {@code {"rng": "<long>"}} into a checkpoint,
 * so a resumed search draws the same noise as an uninterrupted one.
 */
public final class GumbelNoise implements DoubleSupplier {

    private final SplitMix64 rng;

    /**
     * Creates the stream.
     *
     * @param seed the run's seed
     * @param stream the name the stream is derived under (distinct per sampler)
     */
    public GumbelNoise(long seed, String stream) {
        this.rng = new SplitMix64(Seeds.mix(seed, stream));
    }

    /** The next standard Gumbel draw. */
    @Override
    public double getAsDouble() {
        double u;
        do {
            u = rng.nextDouble();
        } while (u == 0.0);
        return -Math.log(-Math.log(u));
    }

    /** The stream's position, for a checkpoint. */
    public JsonElement state() {
        JsonObject o = new JsonObject();
        o.addProperty("rng", Long.toString(rng.state()));
        return o;
    }

    /**
     * Restores a position written by {@link #state()}.
     *
     * @param state the saved state
     * @param missing the error message when the checkpoint holds no such state
     * @throws IllegalArgumentException with {@code missing}
     */
    public void restore(JsonElement state, String missing) {
        if (state == null || !state.isJsonObject() || !state.getAsJsonObject().has("rng")) {
            throw new IllegalArgumentException(missing);
        }
        rng.setState(Long.parseLong(state.getAsJsonObject().get("rng").getAsString()));
    }
}
