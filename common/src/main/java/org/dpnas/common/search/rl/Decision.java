package org.dpnas.common.search.rl;

/**
 * One categorical decision the controller makes: a name for messages, the number of choices, and a
 * head name — decisions with the same head share the controller's output layer and choice embedding
 * (as the FastDenseNAS reference shares one op classifier among all op decisions).
 *
 * @param name what is decided, for messages
 * @param choices the number of choices, at least 1
 * @param head the output layer it uses
 */
public record Decision(String name, int choices, String head) {

    /** Validates. */
    public Decision {
        if (name == null || head == null) {
            throw new IllegalArgumentException("a decision needs a name and a head");
        }
        if (choices < 1) {
            throw new IllegalArgumentException(
                    "decision '" + name + "' needs at least 1 choice, got " + choices);
        }
    }

    /** A decision with its own head (named like the decision). */
    public static Decision of(String name, int choices) {
        return new Decision(name, choices, name);
    }
}
