package dev.costwise.llm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A chat-completion request in the OpenAI shape, the one canonical form every provider adapter translates from.
 *
 * <p>Immutable; {@link #toBuilder()} derives a variant (for example the same request for a fallback model).
 *
 * @param model the model name as the caller wrote it (a catalog name or alias)
 * @param messages the conversation; never empty
 * @param tools functions the model may call
 * @param toolChoice OpenAI's {@code tool_choice} as given ({@code "auto"}, {@code "none"}, {@code "required"} or an
 *     object), if set
 * @param responseFormat free text, JSON mode or a JSON schema
 * @param temperature sampling temperature, if set
 * @param topP nucleus sampling, if set
 * @param topK sample only from the {@code k} likeliest tokens, if set: Anthropic's, Gemini's and Ollama's
 *     {@code top_k} (also taken by OpenRouter, Together and vLLM; OpenAI has none, so its models get the request
 *     without it)
 * @param maxTokens the output limit, if set
 * @param stop stop sequences
 * @param seed a sampling seed, if set
 * @param user the caller's end-user id, if set (does not change the output: not part of the cache key)
 * @param metadata caller metadata (does not change the output: not part of the cache key)
 * @param reasoning how much a reasoning model may think, if set (otherwise the model's default)
 * @param serviceTier the processing tier asked for, if set (otherwise the provider account's default): OpenAI's
 *     {@code service_tier}; providers without tiers ignore it. It does not change the answer, only its price and
 *     speed, so it is not part of the cache key.
 * @param contextManagement Anthropic's {@code context_management} as given, if set: edits Anthropic applies to the
 *     conversation before the model reads it (clearing old tool results or thinking), which cut the input tokens
 *     billed in long agent loops. Only Anthropic models read it; others get the whole conversation.
 * @param parallelToolCalls OpenAI's {@code parallel_tool_calls} as given, if set: {@code false} asks for at most one
 *     tool call per answer. OpenAI-compatible providers get it as given (with tools), Anthropic as
 *     {@code tool_choice.disable_parallel_tool_use}; Gemini has no such setting and is not sent it.
 * @param presencePenalty OpenAI's {@code presence_penalty} in [-2, 2], if set: positive values make the model less
 *     likely to repeat a token that has appeared at all. OpenAI-compatible providers get it as given, Gemini as
 *     {@code presencePenalty}, Ollama in its options; Anthropic has none and is not sent it.
 * @param frequencyPenalty OpenAI's {@code frequency_penalty} in [-2, 2], if set: positive values make a token less
 *     likely the more often it has appeared. Sent as {@code presencePenalty} is, Gemini's being
 *     {@code frequencyPenalty}.
 * @param anthropicBetas Anthropic beta features to turn on ({@code anthropic-beta} header values such as
 *     {@code context-1m-2025-08-07}), in order, without repeats. Only Anthropic models get them, in their
 *     {@code anthropic-beta} header beside the ones the adapter sets itself; others ignore them. Each is a name of
 *     letters, digits, {@code .}, {@code _} and {@code -}. A beta may change the answer, so they are part of the
 *     cache key.
 * @param callerServiceTier when Costwise, not the caller, chose {@code serviceTier}
 *     ({@link dev.costwise.llm.budget.OnServiceTier}), the tier the caller had asked for (the standard one if none):
 *     savings are measured on it ({@link dev.costwise.llm.cost.SavingsCalculator#baselineTier}). Empty when
 *     {@code serviceTier} is the caller's own. Never sent to a provider; not part of the cache key.
 * @param inferenceGeo Anthropic's {@code inference_geo}, if set: where the model runs ({@code us} for US-only
 *     inference, {@code global}). Only Anthropic models get it; it does not change the answer, only its price (US-only
 *     inference costs 1.1× on Claude Opus 4.6, Sonnet 4.6 and later), so it is not part of the cache key.
 * @param outputEffort Anthropic's {@code output_config.effort}, if set: how eagerly the model spends tokens on its
 *     whole answer (text, tool calls and thinking alike), whether or not it thinks: {@code low}, {@code medium},
 *     {@code high} (Anthropic's default), {@code xhigh} or {@code max}. Only Anthropic models read it (those that take
 *     it: Claude Opus 4.5, and Claude 4.6 and later); the gateway gives other providers the nearest reasoning setting
 *     when the request has none of its own. It changes the answer, so it is part of the cache key.
 */
public record ChatRequest(String model, List<Message> messages, List<Tool> tools, Optional<JsonNode> toolChoice,
        ResponseFormat responseFormat, Optional<Double> temperature, Optional<Double> topP, Optional<Integer> topK,
        Optional<Integer> maxTokens, List<String> stop, Optional<Long> seed, Optional<String> user,
        Map<String, String> metadata, Optional<Reasoning> reasoning, Optional<ServiceTier> serviceTier,
        Optional<JsonNode> contextManagement, Optional<Boolean> parallelToolCalls, Optional<Double> presencePenalty,
        Optional<Double> frequencyPenalty, List<String> anthropicBetas, Optional<ServiceTier> callerServiceTier,
        Optional<String> inferenceGeo, Optional<ReasoningEffort> outputEffort) {

    /** What an Anthropic beta name may hold: Anthropic's names are lowercase words, digits and dashes. */
    private static final Pattern BETA_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    public ChatRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(toolChoice, "toolChoice");
        Objects.requireNonNull(responseFormat, "responseFormat");
        Objects.requireNonNull(temperature, "temperature");
        Objects.requireNonNull(topP, "topP");
        Objects.requireNonNull(topK, "topK");
        Objects.requireNonNull(maxTokens, "maxTokens");
        stop = List.copyOf(stop);
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(user, "user");
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(reasoning, "reasoning");
        Objects.requireNonNull(serviceTier, "serviceTier");
        contextManagement = Objects.requireNonNull(contextManagement, "contextManagement").map(JsonNode::deepCopy);
        Objects.requireNonNull(parallelToolCalls, "parallelToolCalls");
        Objects.requireNonNull(presencePenalty, "presencePenalty");
        Objects.requireNonNull(frequencyPenalty, "frequencyPenalty");
        anthropicBetas = List.copyOf(new LinkedHashSet<>(anthropicBetas));
        Objects.requireNonNull(callerServiceTier, "callerServiceTier");
        Objects.requireNonNull(inferenceGeo, "inferenceGeo");
        inferenceGeo.ifPresent(g -> requireArgument(!g.isBlank(), "inference_geo cannot be blank, was '%s'", g));
        Objects.requireNonNull(outputEffort, "outputEffort");
        outputEffort.ifPresent(e -> requireArgument(e.compareTo(ReasoningEffort.LOW) >= 0,
                "output_config.effort must be low, medium, high, xhigh or max, was %s", e.wireName()));
        for (String beta : anthropicBetas) {
            requireArgument(isAnthropicBetaName(beta), "anthropic beta '%s' is not a beta name (at most 100 "
                    + "letters, digits, '.', '_' and '-')", beta);
        }
        if (model.isBlank()) {
            throw new IllegalArgumentException("model cannot be blank");
        }
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages cannot be empty");
        }
        temperature.ifPresent(t -> requireArgument(t >= 0 && t <= 2, "temperature must be in [0, 2], was %s", t));
        topP.ifPresent(p -> requireArgument(p >= 0 && p <= 1, "top_p must be in [0, 1], was %s", p));
        topK.ifPresent(k -> requireArgument(k >= 1, "top_k must be >= 1, was %s", k));
        maxTokens.ifPresent(m -> requireArgument(m >= 1, "max_tokens must be >= 1, was %s", m));
        presencePenalty.ifPresent(p -> requireArgument(p >= -2 && p <= 2,
                "presence_penalty must be in [-2, 2], was %s", p));
        frequencyPenalty.ifPresent(p -> requireArgument(p >= -2 && p <= 2,
                "frequency_penalty must be in [-2, 2], was %s", p));
    }

    /**
     * A request for {@code model} with one user message.
     *
     * @param model the model name
     * @param prompt the user's text
     * @return the request
     */
    public static ChatRequest of(String model, String prompt) {
        return builder(model).addMessage(Message.user(prompt)).build();
    }

    /**
     * Starts a request for {@code model}.
     *
     * @param model the model name
     * @return a builder
     */
    public static Builder builder(String model) {
        return new Builder().model(model);
    }

    /** @return a builder holding this request's values */
    public Builder toBuilder() {
        Builder b = new Builder().model(model).messages(messages).tools(tools).responseFormat(responseFormat)
                .stop(stop).metadata(metadata);
        b.toolChoice = toolChoice;
        b.temperature = temperature;
        b.topP = topP;
        b.topK = topK;
        b.maxTokens = maxTokens;
        b.seed = seed;
        b.user = user;
        b.reasoning = reasoning;
        b.serviceTier = serviceTier;
        b.contextManagement = contextManagement;
        b.parallelToolCalls = parallelToolCalls;
        b.presencePenalty = presencePenalty;
        b.frequencyPenalty = frequencyPenalty;
        b.anthropicBetas = anthropicBetas;
        b.callerServiceTier = callerServiceTier;
        b.inferenceGeo = inferenceGeo;
        b.outputEffort = outputEffort;
        return b;
    }

    /**
     * The same request for another model.
     *
     * @param otherModel the model name
     * @return the copy
     */
    public ChatRequest withModel(String otherModel) {
        return toBuilder().model(otherModel).build();
    }

    /** @return every text part of every message, joined by newlines (for token estimates and classifiers) */
    public String allText() {
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(m.text());
        }
        return sb.toString();
    }

    /** @return the text of the last user message, or empty text when there is none */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                return messages.get(i).text();
            }
        }
        return "";
    }

    /** @return {@code true} if any message holds an image */
    public boolean hasImages() {
        return messages.stream().anyMatch(Message::hasImages);
    }

    /**
     * @return the longest lifetime among the request's prompt-cache breakpoints (on tools, content parts and tool
     *     calls), if it places any: the longest-lived cache write the call may cause
     */
    public Optional<CacheControl.Ttl> longestCacheBreakpoint() {
        Stream<Optional<CacheControl>> inMessages = messages.stream().flatMap(m -> Stream.concat(
                m.content().stream().map(ContentPart::cacheControl),
                m.toolCalls().stream().map(ToolCall::cacheControl)));
        return Stream.concat(tools.stream().map(Tool::cacheControl), inMessages)
                .flatMap(Optional::stream).map(CacheControl::ttl).max(Comparator.naturalOrder());
    }

    /**
     * Whether {@code name} may be an Anthropic beta name ({@link #anthropicBetas()}): 1 to 100 letters, digits,
     * {@code .}, {@code _} and {@code -}, as Anthropic's names ({@code context-1m-2025-08-07}) are.
     *
     * @param name a candidate name
     * @return {@code true} if it is well formed
     */
    public static boolean isAnthropicBetaName(String name) {
        return BETA_NAME.matcher(name).matches();
    }

    private static void requireArgument(boolean ok, String format, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(format, value));
        }
    }

    /** Builds a {@link ChatRequest}. Not thread-safe. */
    public static final class Builder {
        private String model;
        private final List<Message> messages = new ArrayList<>();
        private final List<Tool> tools = new ArrayList<>();
        private Optional<JsonNode> toolChoice = Optional.empty();
        private ResponseFormat responseFormat = new ResponseFormat.Text();
        private Optional<Double> temperature = Optional.empty();
        private Optional<Double> topP = Optional.empty();
        private Optional<Integer> topK = Optional.empty();
        private Optional<Integer> maxTokens = Optional.empty();
        private final List<String> stop = new ArrayList<>();
        private Optional<Long> seed = Optional.empty();
        private Optional<String> user = Optional.empty();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private Optional<Reasoning> reasoning = Optional.empty();
        private Optional<ServiceTier> serviceTier = Optional.empty();
        private Optional<JsonNode> contextManagement = Optional.empty();
        private Optional<Boolean> parallelToolCalls = Optional.empty();
        private Optional<Double> presencePenalty = Optional.empty();
        private Optional<Double> frequencyPenalty = Optional.empty();
        private List<String> anthropicBetas = List.of();
        private Optional<ServiceTier> callerServiceTier = Optional.empty();
        private Optional<String> inferenceGeo = Optional.empty();
        private Optional<ReasoningEffort> outputEffort = Optional.empty();

        private Builder() {}

        /** @param model the model name; @return this builder */
        public Builder model(String model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** @param values replaces the messages; @return this builder */
        public Builder messages(List<Message> values) {
            messages.clear();
            messages.addAll(values);
            return this;
        }

        /** @param message appended to the messages; @return this builder */
        public Builder addMessage(Message message) {
            messages.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        /** @param values replaces the tools; @return this builder */
        public Builder tools(List<Tool> values) {
            tools.clear();
            tools.addAll(values);
            return this;
        }

        /** @param choice OpenAI's {@code tool_choice}; @return this builder */
        public Builder toolChoice(JsonNode choice) {
            this.toolChoice = Optional.of(choice);
            return this;
        }

        /** @param format the response format; default text; @return this builder */
        public Builder responseFormat(ResponseFormat format) {
            this.responseFormat = Objects.requireNonNull(format, "responseFormat");
            return this;
        }

        /** @param value sampling temperature in [0, 2]; @return this builder */
        public Builder temperature(double value) {
            this.temperature = Optional.of(value);
            return this;
        }

        /** @param value nucleus sampling in [0, 1]; @return this builder */
        public Builder topP(double value) {
            this.topP = Optional.of(value);
            return this;
        }

        /** @param value how many of the likeliest tokens to sample from, at least 1; @return this builder */
        public Builder topK(int value) {
            this.topK = Optional.of(value);
            return this;
        }

        /** @param value the output token limit, at least 1; @return this builder */
        public Builder maxTokens(int value) {
            this.maxTokens = Optional.of(value);
            return this;
        }

        /** @param value the output token limit, or empty to leave it to the provider; @return this builder */
        public Builder maxTokens(Optional<Integer> value) {
            this.maxTokens = Objects.requireNonNull(value, "maxTokens");
            return this;
        }

        /** @param values replaces the stop sequences; @return this builder */
        public Builder stop(List<String> values) {
            stop.clear();
            stop.addAll(values);
            return this;
        }

        /** @param value a sampling seed; @return this builder */
        public Builder seed(long value) {
            this.seed = Optional.of(value);
            return this;
        }

        /** @param value the end-user id; @return this builder */
        public Builder user(String value) {
            this.user = Optional.of(value);
            return this;
        }

        /** @param values replaces the metadata; @return this builder */
        public Builder metadata(Map<String, String> values) {
            metadata.clear();
            metadata.putAll(values);
            return this;
        }

        /** @param value how much a reasoning model may think; @return this builder */
        public Builder reasoning(Reasoning value) {
            this.reasoning = Optional.of(value);
            return this;
        }

        /** @param value the reasoning effort; @return this builder */
        public Builder reasoningEffort(ReasoningEffort value) {
            return reasoning(Reasoning.effort(value));
        }

        /** @param value the reasoning setting, or empty for the model's default; @return this builder */
        public Builder reasoning(Optional<Reasoning> value) {
            this.reasoning = Objects.requireNonNull(value, "reasoning");
            return this;
        }

        /**
         * Asks for a processing tier: {@link ServiceTier#FLEX} halves OpenAI's price for work that can wait.
         *
         * @param value the tier
         * @return this builder
         */
        public Builder serviceTier(ServiceTier value) {
            this.serviceTier = Optional.of(value);
            return this;
        }

        /** @param value the tier, or empty for the account's default; @return this builder */
        public Builder serviceTier(Optional<ServiceTier> value) {
            this.serviceTier = Objects.requireNonNull(value, "serviceTier");
            return this;
        }

        /**
         * Sets Anthropic's {@code context_management}, such as
         * {@code {"edits": [{"type": "clear_tool_uses_20250919"}]}}: Anthropic clears old tool results from the
         * conversation once it passes a threshold, so a long agent loop stops paying for them on every turn.
         *
         * @param value the {@code context_management} object, or empty for none
         * @return this builder
         */
        public Builder contextManagement(Optional<JsonNode> value) {
            this.contextManagement = Objects.requireNonNull(value, "contextManagement");
            return this;
        }

        /**
         * Sets OpenAI's {@code parallel_tool_calls}: {@code false} lets the model call at most one tool per answer
         * (sent to Anthropic as {@code disable_parallel_tool_use}; Gemini has no such setting).
         *
         * @param value the setting, or empty to leave it to the provider (parallel calls allowed)
         * @return this builder
         */
        public Builder parallelToolCalls(Optional<Boolean> value) {
            this.parallelToolCalls = Objects.requireNonNull(value, "parallelToolCalls");
            return this;
        }

        /** @param value OpenAI's {@code presence_penalty}, in [-2, 2]; @return this builder */
        public Builder presencePenalty(double value) {
            this.presencePenalty = Optional.of(value);
            return this;
        }

        /** @param value OpenAI's {@code frequency_penalty}, in [-2, 2]; @return this builder */
        public Builder frequencyPenalty(double value) {
            this.frequencyPenalty = Optional.of(value);
            return this;
        }

        /**
         * Sets the Anthropic beta features to turn on, such as {@code context-1m-2025-08-07}: Anthropic models get
         * them in their {@code anthropic-beta} header, merged with the ones the adapter sets; other providers never
         * see them. Default: none.
         *
         * @param values beta names; a repeated one counts once
         * @return this builder
         */
        public Builder anthropicBetas(List<String> values) {
            this.anthropicBetas = List.copyOf(Objects.requireNonNull(values, "anthropicBetas"));
            return this;
        }

        /**
         * Records that Costwise chose the request's service tier, and the tier the caller had asked for, which
         * savings are measured on ({@link ChatRequest#callerServiceTier()}). Default: none, the tier is the caller's.
         *
         * @param value the caller's tier (the standard one if it asked for none), or empty
         * @return this builder
         */
        public Builder callerServiceTier(Optional<ServiceTier> value) {
            this.callerServiceTier = Objects.requireNonNull(value, "callerServiceTier");
            return this;
        }

        /**
         * Sets Anthropic's {@code inference_geo}: {@code us} keeps inference in the United States, billed at 1.1×
         * on the models that take it (Claude Opus 4.6, Sonnet 4.6 and later; older ones refuse it). Other providers
         * never see it. Default: none, Anthropic's workspace default.
         *
         * @param value the geography, or empty
         * @return this builder
         */
        public Builder inferenceGeo(Optional<String> value) {
            this.inferenceGeo = Objects.requireNonNull(value, "inferenceGeo");
            return this;
        }

        /**
         * Sets Anthropic's {@code output_config.effort}: how eagerly an Anthropic model spends tokens on its whole
         * answer, thinking or not ({@code low} saves the most). Default: none, the model's own ({@code high}).
         *
         * @param value {@code LOW} to {@code MAX}, or empty
         * @return this builder
         */
        public Builder outputEffort(Optional<ReasoningEffort> value) {
            this.outputEffort = Objects.requireNonNull(value, "outputEffort");
            return this;
        }

        /**
         * @return the request
         * @throws IllegalArgumentException if the model is blank, there are no messages, a sampling value is out of
         *     range, or an Anthropic beta is not a beta name (the message names the field and the value)
         */
        public ChatRequest build() {
            return new ChatRequest(model, messages, tools, toolChoice, responseFormat, temperature, topP, topK,
                    maxTokens, stop, seed, user, metadata, reasoning, serviceTier, contextManagement,
                    parallelToolCalls, presencePenalty, frequencyPenalty, anthropicBetas, callerServiceTier,
                    inferenceGeo, outputEffort);
        }
    }
}
