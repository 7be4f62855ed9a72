package dev.costwise.llm.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Guards the rule-based classifier's accuracy on the labelled prompt sets against regression. The thresholds are the
 * values measured when the rules were frozen (see docs/classifier.md) minus a small margin. The held-out set was
 * written before the rules and never used to tune them.
 */
class ClassifierAccuracyTest {
    private static final double MARGIN = 0.03;
    private final RuleBasedTaskClassifier classifier =
            RuleBasedTaskClassifier.builder(TestCatalog.standard()).build();

    @Test
    void givenTrainingSet_whenClassified_thenAccuracyDoesNotRegress() {
        LabelledPrompts set = LabelledPrompts.load("labelled-train.jsonl");
        LabelledPrompts.Accuracy a = set.accuracyOf(classifier);
        System.out.printf("train (%d prompts): complexity %.3f, type %.3f%n", set.rows().size(), a.complexity(),
                a.type());
        assertThat(set.rows()).hasSizeGreaterThanOrEqualTo(100);
        assertThat(a.complexity()).isGreaterThanOrEqualTo(0.91 - MARGIN);
        assertThat(a.type()).isGreaterThanOrEqualTo(1.00 - MARGIN);
    }

    @Test
    void givenHeldOutSet_whenClassified_thenAccuracyDoesNotRegress() {
        LabelledPrompts set = LabelledPrompts.load("labelled-holdout.jsonl");
        LabelledPrompts.Accuracy a = set.accuracyOf(classifier);
        System.out.printf("holdout (%d prompts): complexity %.3f, type %.3f%n", set.rows().size(), a.complexity(),
                a.type());
        assertThat(set.rows()).hasSizeGreaterThanOrEqualTo(50);
        assertThat(a.complexity()).isGreaterThanOrEqualTo(0.745 - MARGIN);
        assertThat(a.type()).isGreaterThanOrEqualTo(0.982 - MARGIN);
    }
}
