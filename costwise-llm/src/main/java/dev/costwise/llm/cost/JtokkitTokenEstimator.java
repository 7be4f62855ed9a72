package dev.costwise.llm.cost;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.chat.ToolCall;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Counts prompt tokens with jtokkit: exactly for OpenAI models, as a calibrated estimate for the others.
 *
 * <p><b>OpenAI models</b> use their own encoding ({@code o200k_base} for the gpt-4o, gpt-4.1, gpt-5 and o-series
 * families, {@code cl100k_base} for gpt-4, gpt-3.5 and the embedding models) and OpenAI's documented chat overhead
 * (<a href="https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken">How to count tokens with
 * tiktoken</a>): {@value #TOKENS_PER_MESSAGE} tokens per message, plus the tokens of its role, content and name,
 * {@value #TOKENS_PER_NAME} more for a name, and {@value #REPLY_PRIMING_TOKENS} to prime the reply. The estimate is
 * {@code exact} unless the request has tools or a JSON schema, whose serialised size is only approximated.
 *
 * <p><b>Other models</b> are counted with {@code cl100k_base} (same overhead) and multiplied by a per-provider factor,
 * rounded up, and are never {@code exact}: Anthropic ×{@value #ANTHROPIC_FACTOR}, Gemini ×{@value #GEMINI_FACTOR},
 * Llama family ×{@value #LLAMA_FACTOR}, others ×{@value #DEFAULT_FACTOR}. Factors can be set per provider.
 *
 * <p><b>Images</b> are a fixed estimate per image, since the URL does not give the size: OpenAI {@code detail: low}
 * {@value #LOW_DETAIL_IMAGE_TOKENS} tokens; {@code high}/{@code auto} {@value #HIGH_DETAIL_IMAGE_TOKENS} (a
 * 1024×1024 image scaled to 768×768 is 4 tiles × 170 + 85); Anthropic {@value #ANTHROPIC_IMAGE_TOKENS} (a
 * 1092×1092 image, width × height / 750); Gemini {@value #GEMINI_IMAGE_TOKENS} (4 tiles of 768×768 × 258).
 *
 * <p>A model is placed by its catalog entry (provider and upstream id) when a catalog is given, else by its name.
 * Thread-safe.
 */
public final class JtokkitTokenEstimator implements TokenEstimator {

    /** OpenAI's per-message overhead. */
    public static final int TOKENS_PER_MESSAGE = 3;
    /** OpenAI's extra token for a message with a name. */
    public static final int TOKENS_PER_NAME = 1;
    /** OpenAI's tokens that prime the assistant's reply. */
    public static final int REPLY_PRIMING_TOKENS = 3;
    /** An OpenAI image with {@code detail: low}. */
    public static final int LOW_DETAIL_IMAGE_TOKENS = 85;
    /** An OpenAI image with {@code detail: high} or {@code auto}, assumed 1024×1024: 4 tiles × 170 + 85. */
    public static final int HIGH_DETAIL_IMAGE_TOKENS = 4 * 170 + 85;
    /** An Anthropic image, assumed 1092×1092: 1092 × 1092 / 750. */
    public static final int ANTHROPIC_IMAGE_TOKENS = 1590;
    /** A Gemini image, assumed 1024×1024: 4 tiles × 258. */
    public static final int GEMINI_IMAGE_TOKENS = 4 * 258;
    /** Anthropic's tokenizer yields about this many tokens per cl100k token. */
    public static final double ANTHROPIC_FACTOR = 1.15;
    /** Gemini's tokenizer yields about as many tokens as cl100k. */
    public static final double GEMINI_FACTOR = 1.0;
    /** The Llama 3 tokenizer, relative to cl100k. */
    public static final double LLAMA_FACTOR = 1.05;
    /** Any other non-OpenAI tokenizer: a cautious margin. */
    public static final double DEFAULT_FACTOR = 1.10;

    private static final int TOOL_OVERHEAD_TOKENS = 8;

    private final Optional<ModelCatalog> catalog;
    private final Map<String, Double> factors;

    private JtokkitTokenEstimator(Builder b) {
        this.catalog = b.catalog;
        this.factors = Map.copyOf(b.factors);
    }

    /** @return an estimator that places models by name, with the default factors */
    public static JtokkitTokenEstimator ofDefaults() {
        return builder().build();
    }

    /**
     * An estimator that places models by their catalog entry.
     *
     * @param catalog the catalog
     * @return the estimator
     */
    public static JtokkitTokenEstimator of(ModelCatalog catalog) {
        return builder().catalog(catalog).build();
    }

    /** @return a builder with the default factors and no catalog */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public TokenEstimate estimateInput(String model, ChatRequest request) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(request, "request");
        Family family = familyOf(model);
        Encoding encoding = family.encoding();
        long text = REPLY_PRIMING_TOKENS;
        long images = 0;
        boolean approximate = !family.exact();
        for (Message m : request.messages()) {
            text += TOKENS_PER_MESSAGE + count(encoding, m.role().wireName());
            for (ContentPart part : m.content()) {
                switch (part) {
                    case ContentPart.Text t -> text += count(encoding, t.text());
                    case ContentPart.Image image -> images += imageTokens(family, image);
                    // counted as sent: an upper bound, since Anthropic bills only the current tool turn's reasoning
                    case ContentPart.Thinking th -> text += count(encoding, th.text());
                    case ContentPart.RedactedThinking r -> text += count(encoding, r.data());
                }
            }
            if (m.name().isPresent()) {
                text += TOKENS_PER_NAME + count(encoding, m.name().get());
            }
            for (ToolCall call : m.toolCalls()) {
                text += TOOL_OVERHEAD_TOKENS + count(encoding, call.name()) + count(encoding, call.arguments());
                approximate = true;
            }
            if (m.toolCallId().isPresent()) {
                text += count(encoding, m.toolCallId().get());
            }
        }
        for (Tool tool : request.tools()) {
            text += TOOL_OVERHEAD_TOKENS + count(encoding, tool.name())
                    + count(encoding, tool.description().orElse("")) + count(encoding, tool.parameters().toString());
            approximate = true;
        }
        if (request.responseFormat() instanceof ResponseFormat.JsonSchema schema) {
            text += count(encoding, schema.schema().toString());
            approximate = true;
        }
        return new TokenEstimate(scale(family, text) + images, !approximate);
    }

    @Override
    public long countText(String model, String text) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(text, "text");
        Family family = familyOf(model);
        return scale(family, count(family.encoding(), text));
    }

    /**
     * Whether counts for {@code model} are exact (an OpenAI model counted with its own encoding).
     *
     * @param model the model name
     * @return {@code true} for OpenAI models
     */
    public boolean isExact(String model) {
        return familyOf(model).exact();
    }

    private static long count(Encoding encoding, String text) {
        return text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    private static long scale(Family family, long tokens) {
        return family.factor() == 1.0 ? tokens : (long) Math.ceil(tokens * family.factor());
    }

    private static long imageTokens(Family family, ContentPart.Image image) {
        return switch (family.provider()) {
            case "anthropic" -> ANTHROPIC_IMAGE_TOKENS;
            case "gemini" -> GEMINI_IMAGE_TOKENS;
            default -> image.detail().filter("low"::equalsIgnoreCase).isPresent()
                    ? LOW_DETAIL_IMAGE_TOKENS : HIGH_DETAIL_IMAGE_TOKENS;
        };
    }

    /** How a model's tokens are counted. */
    private record Family(String provider, Encoding encoding, double factor, boolean exact) {}

    private Family familyOf(String model) {
        Optional<ModelInfo> info = catalog.flatMap(c -> c.find(model));
        String provider = info.map(ModelInfo::provider).orElseGet(() -> guessProvider(model));
        String upstream = info.map(ModelInfo::upstreamModel).orElse(model).toLowerCase(Locale.ROOT);
        if (upstream.startsWith("openai/")) {
            upstream = upstream.substring("openai/".length());
        }
        boolean openAiTokenizer = isOpenAiModel(upstream);
        if (openAiTokenizer && (provider.equals("openai") || provider.equals("openrouter"))) {
            return new Family("openai", openAiEncoding(upstream), 1.0, true);
        }
        double factor = factors.getOrDefault(provider,
                upstream.contains("llama") ? LLAMA_FACTOR : factors.getOrDefault("*", DEFAULT_FACTOR));
        if (openAiTokenizer) {
            return new Family(provider, openAiEncoding(upstream), 1.0, false);
        }
        return new Family(provider, Cl100k.ENCODING, factor, false);
    }

    private Encoding openAiEncoding(String upstream) {
        boolean legacy = (upstream.startsWith("gpt-4") && !upstream.startsWith("gpt-4o")
                && !upstream.startsWith("gpt-4.1") && !upstream.startsWith("gpt-4.5"))
                || upstream.startsWith("gpt-3.5") || upstream.startsWith("text-embedding");
        return legacy ? Cl100k.ENCODING : O200k.ENCODING;
    }

    private static boolean isOpenAiModel(String name) {
        return name.startsWith("gpt-") || name.startsWith("chatgpt-") || name.startsWith("text-embedding-")
                || name.matches("o[1-9](-.*)?");
    }

    private static String guessProvider(String model) {
        String n = model.toLowerCase(Locale.ROOT);
        if (n.startsWith("claude")) {
            return "anthropic";
        }
        if (n.startsWith("gemini")) {
            return "gemini";
        }
        if (isOpenAiModel(n)) {
            return "openai";
        }
        return "unknown";
    }

    /**
     * The o200k_base table, loaded on first use. Encodings are immutable, thread-safe tables read from jtokkit's
     * resources; loading one takes seconds, so it is done once per JVM rather than once per estimator.
     */
    private static final class O200k {
        static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    }

    /** The cl100k_base table, loaded on first use; see {@link O200k}. */
    private static final class Cl100k {
        static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    /** Builds a {@link JtokkitTokenEstimator}. Not thread-safe. */
    public static final class Builder {
        private Optional<ModelCatalog> catalog = Optional.empty();
        private final Map<String, Double> factors = new HashMap<>(Map.of(
                "anthropic", ANTHROPIC_FACTOR, "gemini", GEMINI_FACTOR, "groq", LLAMA_FACTOR,
                "ollama", LLAMA_FACTOR, "*", DEFAULT_FACTOR));

        private Builder() {}

        /**
         * Places models by their catalog entry (provider and upstream id). Default: by name only.
         *
         * @param value the catalog
         * @return this builder
         */
        public Builder catalog(ModelCatalog value) {
            this.catalog = Optional.of(Objects.requireNonNull(value, "catalog"));
            return this;
        }

        /**
         * Sets the multiplier applied to cl100k counts for a provider's models; {@code "*"} sets the default for
         * providers without their own. Defaults: anthropic {@value #ANTHROPIC_FACTOR}, gemini {@value #GEMINI_FACTOR},
         * groq and ollama {@value #LLAMA_FACTOR}, any other {@value #DEFAULT_FACTOR}.
         *
         * @param provider a provider id, or {@code "*"}
         * @param factor tokens per cl100k token, in (0, 10]
         * @return this builder
         * @throws IllegalArgumentException if {@code factor} is out of range
         */
        public Builder factor(String provider, double factor) {
            Objects.requireNonNull(provider, "provider");
            if (!(factor > 0 && factor <= 10)) {
                throw new IllegalArgumentException("factor for '" + provider + "' must be in (0, 10], was " + factor);
            }
            factors.put(provider, factor);
            return this;
        }

        /** @return the estimator */
        public JtokkitTokenEstimator build() {
            return new JtokkitTokenEstimator(this);
        }
    }
}
