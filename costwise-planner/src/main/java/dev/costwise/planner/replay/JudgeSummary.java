package dev.costwise.planner.replay;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * How the judged sample came out.
 *
 * @param judge what judged (a real model or the simulated judge)
 * @param verdicts count per verdict
 */
public record JudgeSummary(String judge, Map<Verdict, Long> verdicts) {

    public JudgeSummary {
        EnumMap<Verdict, Long> copy = new EnumMap<>(Verdict.class);
        copy.putAll(verdicts);
        verdicts = Collections.unmodifiableMap(copy);
    }

    /** @return requests judged */
    public long judged() {
        return verdicts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** @return share of readable verdicts that were same or better: the quality the savings kept */
    public double keptQuality() {
        long readable = judged() - verdicts.getOrDefault(Verdict.UNPARSABLE, 0L);
        long ok = verdicts.getOrDefault(Verdict.SAME, 0L) + verdicts.getOrDefault(Verdict.BETTER, 0L);
        return readable == 0 ? 0 : (double) ok / readable;
    }
}
