package org.dpnas.common.search.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.rl.RlSearchTest.Arch;
import org.dpnas.common.search.rl.RlSearchTest.Toy;
import org.junit.jupiter.api.Test;

/**
 * The RL strategy under an asynchronous search: several children are pending, their scores arrive
 * in another order than they were proposed, and each is learnt from with the log-probability it was
 * sampled with; a search restored from the state at an arrival and proposing again what it had
 * proposed since continues the same sequence.
 */
class RlSearchArrivalOrderTest {

    private static RlSearch<Arch> ppo() {
        return new RlSearch<>(new Toy(), RlSearchTest.small(RlSearch.Algorithm.PPO, 3e-3), 7, null);
    }

    @Test
    void scoresArrivingOutOfOrderUseTheirOwnProposalsLogProbabilities() {
        RlSearch<Arch> s = ppo();
        List<Arch> a = List.of(s.propose(), s.propose(), s.propose());
        JsonArray pending = s.state().getAsJsonArray("pending");
        assertEquals(3, pending.size());
        double[] r = {0.2, 0.9, 0.5};
        int[] order = {2, 0, 1};
        for (int i : order) {
            s.observe(new Trial<>(i, a.get(i), "t", Map.of(), r[i]));
        }
        JsonObject st = s.state();
        assertEquals(0, st.getAsJsonArray("pending").size(), "every proposal was matched");
        JsonArray rollout = st.getAsJsonArray("rollout");
        assertEquals(3, rollout.size());
        for (int k = 0; k < 3; k++) {
            int i = order[k];
            JsonObject o = rollout.get(k).getAsJsonObject();
            assertEquals(pending.get(i).getAsJsonObject().get("actions"), o.get("actions"));
            assertEquals(
                    pending.get(i).getAsJsonObject().get("log_prob").getAsDouble(),
                    o.get("log_prob").getAsDouble(),
                    "arrival " + k + " learns with trial " + i + "'s sampling log-probability");
            assertEquals(r[i], o.get("reward").getAsDouble());
        }
        // the baseline is the moving average in arrival order: 0.5, then 0.2, then 0.9
        double b = 0.5;
        b = 0.95 * b + 0.05 * 0.2;
        b = 0.95 * b + 0.05 * 0.9;
        assertEquals(b, st.get("baseline").getAsDouble(), 1e-15);
        assertEquals(3, st.get("updates").getAsLong());
    }

    /** The driver's protocol: K in flight, each arrival observed, state taken, one proposed. */
    private static final int[] ARRIVALS = {1, 0, 3, 2, 5, 4, 7, 6, 8, 9};

    @Test
    void restoringAtAnyArrivalAndReproposingContinuesTheSameSequence() {
        int n = 10;
        int k = 3;
        // uninterrupted: propose k, then for each arrival observe, take the state, propose one
        RlSearch<Arch> whole = ppo();
        List<Arch> props = new ArrayList<>();
        List<JsonObject> states = new ArrayList<>();
        List<Integer> proposedAt = new ArrayList<>();
        while (props.size() < k) {
            props.add(whole.propose());
        }
        for (int id : ARRIVALS) {
            whole.observe(trial(id, props.get(id)));
            states.add(whole.state());
            proposedAt.add(props.size());
            if (props.size() < n) {
                props.add(whole.propose());
            }
        }
        for (int cut = 0; cut < ARRIVALS.length; cut++) {
            RlSearch<Arch> again = ppo();
            for (int j = 0; j <= cut; j++) {
                again.observe(trial(ARRIVALS[j], props.get(ARRIVALS[j])));
            }
            again.restore(states.get(cut));
            List<Arch> got = new ArrayList<>(props.subList(0, proposedAt.get(cut)));
            if (got.size() < n) {
                got.add(again.propose()); // proposed again: the one that followed arrival cut
            }
            for (int j = cut + 1; j < ARRIVALS.length; j++) {
                int id = ARRIVALS[j];
                again.observe(trial(id, got.get(id)));
                again.state();
                if (got.size() < n) {
                    got.add(again.propose());
                }
            }
            assertEquals(
                    props.stream().map(x -> Arrays.toString(x.d())).toList(),
                    got.stream().map(x -> Arrays.toString(x.d())).toList(),
                    "restored at arrival " + cut);
            assertArrayEquals(whole.policy().theta(), again.policy().theta(), "cut " + cut);
        }
    }

    private static Trial<Arch> trial(int id, Arch a) {
        return new Trial<>(id, a, "t", Map.of(), RlSearchTest.reward(a));
    }
}
