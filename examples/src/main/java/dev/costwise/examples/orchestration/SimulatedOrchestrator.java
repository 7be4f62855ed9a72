package dev.costwise.examples.orchestration;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.orchestration.RuleBasedTaskClassifier;
import dev.costwise.llm.orchestration.TaskClassification;
import dev.costwise.llm.orchestration.TaskClassificationRequest;
import dev.costwise.llm.sim.OutputLength;
import dev.costwise.llm.sim.SimulatedChatModel;

/**
 * SIMULATED orchestrator for running the examples offline: tokens, latency and cost come from the {@code sim}
 * provider standing in for Claude Sonnet 4.5, and the JSON it answers is made up here. It classifies with the rules,
 * approves an output when it has at least {@value #MIN_WORDS} words (a stand-in only: a real orchestrator judges the
 * content against the rubric), plans every task as the spec's three perspectives (a batch as one step per task), and
 * aggregates with simulated words.
 * Point the examples at a real provider to get real judgements.
 */
final class SimulatedOrchestrator implements ChatModel {
    static final String MODEL = "claude-sonnet-4-5";
    private static final int MIN_WORDS = 120;

    private final SimulatedChatModel sim;
    private final RuleBasedTaskClassifier rules;

    SimulatedOrchestrator(ModelCatalog catalog) {
        this.sim = SimulatedChatModel.builder(catalog, MODEL).outputLength(OutputLength.uniform(30, 80)).seed(7)
                .build();
        this.rules = RuleBasedTaskClassifier.builder(catalog).build();
    }

    @Override
    public String name() {
        return MODEL;
    }

    @Override
    public String provider() {
        return sim.provider();
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        ChatResponse billed = sim.execute(request, context);
        String system = request.messages().stream().filter(m -> m.role() == Role.SYSTEM).map(Message::text)
                .findFirst().orElse("");
        String user = request.lastUserText();
        String answer;
        if (system.contains("You classify tasks")) {
            TaskClassification c = rules.classify(TaskClassificationRequest.of(user.replaceFirst("^TASK:\\n", "")));
            answer = "{\"complexity\": \"" + c.complexity() + "\", \"task_type\": \"" + c.taskType()
                    + "\", \"reason\": \"simulated orchestrator (judged by the rules)\", \"confidence\": 0.8}";
        } else if (system.contains("strict reviewer")) {
            String output = user.substring(user.indexOf("OUTPUT"));
            int words = output.split("\\s+").length - 3;
            answer = words >= MIN_WORDS ? "{\"pass\": true, \"reasons\": [\"complete (simulated check)\"]}"
                    : "{\"pass\": false, \"reasons\": [\"too thin: " + words + " words (simulated check)\"]}";
        } else if (user.startsWith("Plan each numbered TASK")) {
            StringBuilder plans = new StringBuilder("{\"plans\": [");
            int n = user.split("\nTASK \\d+:\n", -1).length - 1;
            for (int i = 1; i <= n; i++) {
                plans.append(i > 1 ? ", " : "").append("{\"task\": ").append(i).append(", \"subtasks\": [{\"id\": \"t")
                        .append(i).append("\", \"prompt\": \"Research task ").append(i).append("\"}]}");
            }
            answer = plans.append("]}").toString();
        } else if (user.startsWith("Split the TASK")) {
            answer = """
                    {"subtasks": [
                      {"id": "env", "description": "Environmental benefits",
                              "prompt": "Explain the environmental benefits of renewable energy",
                                      "executor": "gemini-2.5-pro:free"},
                      {"id": "econ", "description": "Economic impact",
                              "prompt": "Analyze the economic impact of renewable energy",
                                      "executor": "deepseek/deepseek-r1:free"},
                      {"id": "tech", "description": "Technical challenges",
                              "prompt": "Describe the technical challenges of renewable energy",
                                      "executor": "llama-3.3-70b-versatile:free"}
                    ]}""";
        } else {
            answer = billed.text();
        }
        return new ChatResponse(billed.id(), billed.requestedModel(), billed.model(), billed.provider(),
                Message.assistant(answer), billed.finishReason(), billed.usage(), billed.cost(), billed.priceStatus(),
                billed.latency(), billed.providerRequestId(), billed.modelDowngraded());
    }

    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        throw new UnsupportedOperationException("the simulated orchestrator does not stream");
    }
}
