package dev.costwise.planner.engine;

/**
 * One generated request: when it arrives in the day, its class, and which prompt of the class's pool it repeats.
 *
 * @param index position in the day, from 0
 * @param atMillis arrival time since the start of the day
 * @param className the complexity class
 * @param rank the prompt's popularity rank in its class's pool (1 is the most popular)
 * @param inputTokens the prompt's tokens
 */
public record SyntheticRequest(int index, long atMillis, String className, int rank, long inputTokens) {

    /** @return the prompt's identity: class and rank */
    public String promptId() {
        return className + "#" + rank;
    }
}
