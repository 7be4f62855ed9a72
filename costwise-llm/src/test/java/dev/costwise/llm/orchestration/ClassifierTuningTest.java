package dev.costwise.llm.orchestration;

import org.junit.jupiter.api.Test;

/** Prints the training-set mistakes; run by hand while tuning the rules (never on the held-out set). */
class ClassifierTuningTest {
    @Test
    void printTrainingMistakes() {
        RuleBasedTaskClassifier classifier = RuleBasedTaskClassifier.builder(TestCatalog.standard()).build();
        LabelledPrompts.Accuracy a = LabelledPrompts.load("labelled-train.jsonl").accuracyOf(classifier);
        System.out.println("TRAIN complexity=" + a.complexity() + " type=" + a.type());
        a.mistakes().forEach(m -> System.out.println("  " + m));
    }
}
