package dev.costwise.llm.orchestration;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scored features of one task text: a score per task type, a complexity score, an output-size estimate, and the
 * named signals behind each, for the classifier's reason. Pure function of the text and its token count.
 */
final class TaskSignals {

    /** One weighted cue: a pattern, its weight, and a label for the reason. */
    private record Cue(Pattern pattern, double weight, String label) {}

    private static final Map<TaskType, List<Cue>> TYPE_CUES;
    private static final List<Cue> REASONING_CUES;
    private static final List<Cue> EXPERT_CUES;
    private static final List<Cue> MULTI_ASK_CUES;
    private static final List<Cue> HARD_CUES;
    private static final List<Cue> LONG_FORM_CUES;
    private static final List<Cue> ENGAGEMENT_CUES;
    private static final List<Cue> EXPLANATORY_CUES;
    private static final List<Cue> STYLE_CUES;

    private static final Pattern CODE_BLOCK = Pattern.compile("```");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]{2,}`");
    private static final Pattern LATEX = Pattern.compile("\\$(?!\\d)[^$\\n]{1,80}\\$|\\\\(int|frac|sum|sqrt|begin|prod|lim)\\b");
    private static final Pattern ARITHMETIC_WORDS = Pattern.compile("\\d\\s+(times|plus|minus|divided by|multiplied by)\\s+\\d");
    private static final Pattern ARITHMETIC = Pattern.compile("\\d\\s*[-+*/×^]\\s*\\d|[a-z]\\^\\d|\\d[a-z]\\s*[-+=]");
    private static final Pattern NUMBERED_ITEM = Pattern.compile("(?m)^\\s*(\\d+[.)]|[-*•])\\s+\\S");
    private static final Pattern NON_LATIN = Pattern.compile("[\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}\\p{IsArabic}"
            + "\\p{IsCyrillic}\\p{IsHangul}]");
    private static final String NUMBER = "(\\d[\\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty)";
    private static final Pattern OUTPUT_WORDS = Pattern.compile("(?:" + NUMBER + "-word|(?:about|around|roughly|"
            + "approximately|in|under|at most|of) " + NUMBER + " words)");
    private static final Pattern OUTPUT_PAGES = Pattern.compile("(?:about|around|roughly|approximately|in|under|"
            + "at most) " + NUMBER + " pages");
    private static final Pattern DOC_IN_BRACKETS = Pattern.compile("\\[[^\\]]*?" + NUMBER + "\\s*(words|pages)[^\\]]*\\]");
    private static final Pattern DOC_PAGES = Pattern.compile(NUMBER + "-page\\b");
    private static final Pattern CODE_LINES = Pattern.compile(NUMBER + "-line\\b");
    private static final Pattern ENUMERATION = Pattern.compile("\\b\\w+, (?:[\\w-]+ ){0,2}[\\w-]+,? and [\\w-]+");
    private static final Pattern COUNTED_ITEMS = Pattern.compile(
            "\\b(?:these|the following|all|of the)\\s+(\\d+|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred)\\b");
    private static final Pattern SHORT_OUTPUT = Pattern.compile("\\b(one word|single word|yes or no|one sentence|"
            + "one-sentence|two sentences|in (?:1|2|3|one|two|three) (?:bullet points|bullets|sentences|words)|briefly|"
            + "answer with one)\\b");
    private static final Pattern BULLETS = Pattern.compile("\\b(\\d+|one|two|three|four|five) (bullet points|bullets|"
            + "sentences|paragraphs|taglines|ideas|examples)\\b");
    private static final Pattern QUESTION_START = Pattern.compile("^(what|who|when|where|which|how|why|is|are|does|do|"
            + "can|could|should|did|was|were)\\b");

    static {
        Map<TaskType, List<Cue>> typeCues = new EnumMap<>(TaskType.class);
        type(typeCues, TaskType.SUMMARIZATION, 3, "summar", "tl;dr", "tldr", "condense", "recap", "gist",
                "executive brief");
        type(typeCues, TaskType.SUMMARIZATION, 1.5, "key points", "main arguments", "in a nutshell",
                "one-page summary");
        type(typeCues, TaskType.EXTRACTION, 3, "extract", "pull out", "named entities", "key-value");
        type(typeCues, TaskType.EXTRACTION, 2.5, "parse", "identify all", "list every", "list all", "find all");
        type(typeCues, TaskType.EXTRACTION, 1.5, "as json", "json fields", "into a csv", "mentioned in",
                "email addresses", "phone numbers", "every person");
        type(typeCues, TaskType.CLASSIFICATION, 3, "classify", "categorize", "categorise", "sentiment",
                "positive or negative", "spam or not", "which language is", "label the", "tag this",
                "positive, negative");
        type(typeCues, TaskType.CLASSIFICATION, 2.5, "into one of", "one of:", "which category", "sort these",
                "assign each", "risk category", "grade these", "violates", "labels from", "intent of", "rubric");
        type(typeCues, TaskType.CODE, 3, "write a function", "python function", "refactor", "unit tests", "fix the bug",
                "regex", "dockerfile", "linked list", "lru cache", "compiler", "sql query", "bash script", "one-liner",
                "race condition", "nullpointerexception", "react hook", "usedebounce", "debug");
        type(typeCues, TaskType.CODE, 1.5, "python", "java", "javascript", "typescript", "rust", " go ", "golang",
                "kotlin", " sql", "bash", "powershell", "c++", "react", "express.js", "angularjs", "implement",
                "function", "code", "script", "query", "api", "kafka consumer", "parser", "tokenizer", "queue in");
        type(typeCues, TaskType.MATH, 3, "solve for", "integral", "derivative", "eigen", "irrational",
                "differential equation", "probability", "divisible", "compounded", "% of", "mortgage", "fahrenheit",
                "celsius");
        type(typeCues, TaskType.MATH, 2, "equation", "calculate", "compute", "prime", "matrix", "times", "km/h",
                "interest", "original price", "discount", "solve the", "how much will", "reciprocals");
        type(typeCues, TaskType.REASONING, 3, "trade-off", "tradeoff", "pros and cons", "does it follow",
                "can we conclude", "arguments for and against", "possible explanations", "which is heavier",
                "weigh the", "good idea", "should a ", "should we", "critically evaluate", "second-order");
        type(typeCues, TaskType.REASONING, 1.5, "step by step", "analyze", "analyse", "evaluate", "recommend",
                "justify", "explain your reasoning", "why or why not", "strategy", "compare", "assumptions",
                "determine every", "how would you test", "all labels are wrong", "every label is wrong", "relabel");
        type(typeCues, TaskType.CREATIVE_WRITING, 3, "poem", "haiku", "limerick", "story", "lyrics", "tagline",
                "slogan", "toast", "screenplay", "script for", "product description", "blog post", "chapter",
                "-word essay", "write an essay", "name for my", "suggest a name");
        type(typeCues, TaskType.CREATIVE_WRITING, 1.5, "song", "fiction", "creative", "catchy", "narrator",
                "in the style of", "persuasive", "tone", "descriptions", "essay");
        type(typeCues, TaskType.TRANSLATION, 4, "translat", "traduis", "traduce", "übersetze", "how do you say",
                "localize", "localise");
        type(typeCues, TaskType.TRANSLATION, 2.5, "mean in english", "in japanese", "in spanish", "in french",
                "in german", "into english", "into spanish", "into french", "into german", "into italian",
                "to portuguese", "into arabic", "into japanese");
        type(typeCues, TaskType.CHAT, 3, "hello", "how are you", "how's your day", "good morning", "good night",
                "let's play", "role-play", "role play", "vent", "talk for a bit", "any fun plans", "lol");
        type(typeCues, TaskType.CHAT, 2, "thanks", "thank you", "joke", "i'm feeling", "so excited", "i just adopted",
                "name ideas", "talk tomorrow");
        type(typeCues, TaskType.QUESTION_ANSWERING, 2, "what is", "what are", "who wrote", "who painted", "how does",
                "how many", "difference between", "differences between", "why did", "explain how", "where is",
                "when was", "what causes");
        type(typeCues, TaskType.QUESTION_ANSWERING, 1, "explain", "how do", "what happens", "discuss");
         List<Cue> reasoningCues = cues(0.4, "step by step", "trade-off", "tradeoff", "analy", "evaluate", "justify",
                "compare", "recommend", "weigh", "consider", "root cause", "propose", "strategy", "show your working",
                "show each step", "showing every step", "show the calculation", "explain why", "pros and cons",
                "edge cases", "implications", "consequences", "mechanism", "methodolog", "arguments for and against",
                "does it follow", "can we conclude", "explanations", "how would you", "discuss", "factors");
        List<Cue> hardCues = cues(0.7, "concurren", "o(1)", "benchmark", "distributed", "consensus", "partition",
                "exactly-once", "idempoten", "race condition", "thread-safe", "system of", "at least", "diagonaliz",
                "differential", "integral", "eigen", "matrix", "normaliz", "resolv", "migrat", "architecture");
        List<Cue> longFormCues = cues(0.6, "story", "lyrics", "toast", "script", "screenplay", "essay", "blog post",
                "chapter", "descriptions", "article", "speech");
        List<Cue> engagementCues = cues(1.0, "let's play", "role-play", "role play", "vent", "talk for a bit",
                "practise");
        List<Cue> explanatoryCues = cues(0.6, "how does", "how do", "why ", "explain", "difference", "what causes");
        List<Cue> styleCues = cues(0.6, "localiz", "localis", "idiom", "terminology", "translator's note", "register",
                "plain language", "preserving", "keeping", "keep the");
        List<Cue> expertCues = cues(1.2, "prove", "linearizab", "lock-free", "memory ordering", "asymptotic", "theorem",
                "second-order", "synthesize", "open problems", "fault-tolerant", "non-linear", "unreliable narrator",
                "critically evaluate", "generaliz", "type checker", "compiler", "most sensitive", "rigorous",
                "contradict", "incrementally", "allusion");
        List<Cue> multiAskCues = cues(0.5, " then ", "and explain", "and give", "for each", "and show", "and note",
                "and flag", "and propose", "and identify", "and state", "and rank", "and cite", "citing", "and include",
                "and add", "and what", "and how", "and when", "and which", "and where", "and why");
        TYPE_CUES = java.util.Collections.unmodifiableMap(typeCues);
        REASONING_CUES = reasoningCues;
        EXPERT_CUES = expertCues;
        MULTI_ASK_CUES = multiAskCues;
        HARD_CUES = hardCues;
        LONG_FORM_CUES = longFormCues;
        ENGAGEMENT_CUES = engagementCues;
        EXPLANATORY_CUES = explanatoryCues;
        STYLE_CUES = styleCues;
    }

    private static void type(Map<TaskType, List<Cue>> into, TaskType t, double weight, String... phrases) {
        List<Cue> merged = new ArrayList<>(into.getOrDefault(t, List.of()));
        merged.addAll(cues(weight, phrases));
        into.put(t, List.copyOf(merged));
    }

    private static List<Cue> cues(double weight, String... phrases) {
        List<Cue> list = new ArrayList<>();
        for (String p : phrases) {
            list.add(new Cue(Pattern.compile(Pattern.quote(p)), weight, p.trim()));
        }
        return List.copyOf(list);
    }

    final Map<TaskType, Double> typeScores = new EnumMap<>(TaskType.class);
    final Map<TaskType, List<String>> typeSignals = new EnumMap<>(TaskType.class);
    final List<String> complexitySignals = new ArrayList<>();
    final long tokens;
    long proseTokens;
    double complexityScore;
    long explicitOutput;
    TaskType type;
    double typeMargin;

    private TaskSignals(long tokens) {
        this.tokens = tokens;
    }

    static TaskSignals of(String text, long tokens) {
        TaskSignals s = new TaskSignals(tokens);
        String lower = text.toLowerCase(Locale.ROOT);
        String prose = text.replaceAll("(?s)```.*?```", " ");
        s.proseTokens = prose.length() == text.length() ? tokens : Math.round(tokens * (double) prose.length()
                / Math.max(1, text.length()));
        s.scoreTypes(text, lower);
        s.scoreComplexity(text, lower);
        s.estimateOutput(lower);
        return s;
    }

    private void scoreTypes(String text, String lower) {
        for (Map.Entry<TaskType, List<Cue>> e : TYPE_CUES.entrySet()) {
            for (Cue c : e.getValue()) {
                if (c.pattern().matcher(lower).find()) {
                    add(e.getKey(), c.weight(), "'" + c.label() + "'");
                }
            }
        }
        int blocks = count(CODE_BLOCK, text) / 2;
        if (blocks > 0) {
            add(TaskType.CODE, 4, blocks + " code block" + (blocks > 1 ? "s" : ""));
        }
        int inline = count(INLINE_CODE, text);
        if (inline > 0) {
            add(TaskType.CODE, 2, "inline code");
        }
        if (LATEX.matcher(text).find()) {
            add(TaskType.MATH, 3, "LaTeX notation");
        }
        if (ARITHMETIC.matcher(lower).find() && blocks == 0 && inline == 0) {
            add(TaskType.MATH, 2, "digits with operators");
        }
        if (ARITHMETIC_WORDS.matcher(lower).find()) {
            add(TaskType.MATH, 3, "arithmetic in words");
        }
        if (NON_LATIN.matcher(text).find()) {
            add(TaskType.TRANSLATION, 1, "non-Latin script");
        }
        String first = lower.strip();
        if (QUESTION_START.matcher(first).find() && first.endsWith("?")) {
            add(TaskType.QUESTION_ANSWERING, 2, "question form");
        }
        if (first.startsWith("hi") && first.length() < 40 || first.startsWith("hey")) {
            add(TaskType.CHAT, 2, "greeting");
        }
        boolean specific = typeScores.entrySet().stream().anyMatch(e -> e.getKey() != TaskType.QUESTION_ANSWERING
                && e.getKey() != TaskType.CHAT && e.getValue() >= 3);
        if (specific && typeScores.containsKey(TaskType.QUESTION_ANSWERING)) {
            typeScores.put(TaskType.QUESTION_ANSWERING, typeScores.get(TaskType.QUESTION_ANSWERING) / 2);
        }
        TaskType best = TaskType.QUESTION_ANSWERING;
        double bestScore = 0;
        double second = 0;
        for (Map.Entry<TaskType, Double> e : typeScores.entrySet()) {
            if (e.getValue() > bestScore) {
                second = bestScore;
                bestScore = e.getValue();
                best = e.getKey();
            } else if (e.getValue() > second) {
                second = e.getValue();
            }
        }
        if (bestScore == 0) {
            best = tokens < 12 ? TaskType.CHAT : TaskType.QUESTION_ANSWERING;
            typeSignals.put(best, List.of("no type cue, " + (tokens < 12 ? "short message" : "default")));
        }
        type = best;
        typeMargin = bestScore == 0 ? 0 : (bestScore - second) / bestScore;
    }

    private void add(TaskType t, double weight, String signal) {
        typeScores.merge(t, weight, Double::sum);
        typeSignals.computeIfAbsent(t, k -> new ArrayList<>()).add(signal);
    }

    private void scoreComplexity(String text, String lower) {
        double score = switch (type) {
            case CHAT, CLASSIFICATION -> 0;
            case EXTRACTION, TRANSLATION, SUMMARIZATION -> 0.3;
            case QUESTION_ANSWERING, CREATIVE_WRITING -> 0.5;
            case CODE -> 0.6;
            case MATH -> 0.8;
            case REASONING -> 0.9;
        };
        complexitySignals.add("base " + score + " for " + type);
        double length = proseTokens >= 250 ? 1.5 : proseTokens >= 100 ? 1.0 : proseTokens >= 40 ? 0.5 : 0;
        if (length > 0) {
            score += length;
            complexitySignals.add(proseTokens + " prose tokens (+" + length + ")");
        }
        long docWords = 0;
        long docPages = largest(DOC_PAGES, lower);
        Matcher doc = DOC_IN_BRACKETS.matcher(lower);
        while (doc.find()) {
            long n = number(doc.group(1));
            if (doc.group(2).equals("pages")) {
                docPages = Math.max(docPages, n);
            } else {
                docWords = Math.max(docWords, n);
            }
        }
        double docBonus = docWords >= 5000 || docPages >= 10 ? 1.0 : docWords >= 1000 || docPages >= 3 ? 0.5 : 0;
        if (docBonus > 0) {
            score += docBonus;
            complexitySignals.add("long input (" + (docPages > 0 ? docPages + " pages" : docWords + " words") + ", +"
                    + docBonus + ")");
        }
        long codeLines = largest(CODE_LINES, lower);
        if (codeLines >= 500) {
            score += 1.0;
            complexitySignals.add(codeLines + "-line codebase (+1.0)");
        }
        score += sum(REASONING_CUES, lower, 1.6, "reasoning cue");
        score += sum(EXPERT_CUES, lower, 2.4, "expert cue");
        score += sum(HARD_CUES, lower, 1.0, "hard-topic cue");
        score += sum(MULTI_ASK_CUES, lower, 1.5, "sub-ask");
        if (type == TaskType.CREATIVE_WRITING) {
            score += sum(LONG_FORM_CUES, lower, 0.6, "long-form piece");
        }
        if (type == TaskType.CHAT) {
            score += sum(ENGAGEMENT_CUES, lower, 1.0, "ongoing conversation");
        }
        if (type == TaskType.QUESTION_ANSWERING) {
            score += sum(EXPLANATORY_CUES, lower, 0.6, "explanatory question");
        }
        if (type == TaskType.TRANSLATION || type == TaskType.SUMMARIZATION || type == TaskType.EXTRACTION) {
            score += sum(STYLE_CUES, lower, 1.2, "fidelity constraint");
        }
        int items = count(NUMBERED_ITEM, text);
        if (items >= 3) {
            double add = items >= 5 ? 1.0 : 0.5;
            score += add;
            complexitySignals.add(items + " listed items (+" + add + ")");
        }
        int commas = count(Pattern.compile(","), lower.replaceAll("\\d,\\d", ""));
        boolean fieldList = type == TaskType.EXTRACTION;
        if (commas >= 4 && !fieldList) {
            double add = commas >= 7 ? 0.8 : 0.4;
            score += add;
            complexitySignals.add(commas + " comma-separated constraints (+" + add + ")");
        }
        if (ENUMERATION.matcher(lower).find() && !fieldList) {
            score += 0.4;
            complexitySignals.add("enumerated aspects (+0.4)");
        }
        Matcher counted = COUNTED_ITEMS.matcher(lower);
        if (counted.find()) {
            long n = number(counted.group(1));
            if (n >= 5) {
                double add = n >= 100 ? 1.0 : 0.5;
                score += add;
                complexitySignals.add("batch of " + n + " items (+" + add + ")");
            }
        }
        if (LATEX.matcher(text).find()) {
            score += 0.7;
            complexitySignals.add("LaTeX (+0.7)");
        }
        if (SHORT_OUTPUT.matcher(lower).find()) {
            score -= 0.8;
            complexitySignals.add("short output requested (-0.8)");
        }
        long words = outputWords(lower);
        if (words >= 500) {
            double add = words >= 1000 ? 1.5 : 1.0;
            score += add;
            complexitySignals.add("about " + words + " words of output (+" + add + ")");
        }
        complexityScore = score;
    }

    private static long outputWords(String lower) {
        long words = 0;
        String outsideBrackets = lower.replaceAll("\\[[^\\]]*\\]", " ");
        Matcher m = OUTPUT_WORDS.matcher(outsideBrackets);
        while (m.find()) {
            words = Math.max(words, number(m.group(1) != null ? m.group(1) : m.group(2)));
        }
        return Math.max(words, largest(OUTPUT_PAGES, outsideBrackets) * 500);
    }

    private void estimateOutput(String lower) {
        long words = outputWords(lower);
        if (words > 0) {
            explicitOutput = Math.round(words * 1.35);
            return;
        }
        Matcher m = BULLETS.matcher(lower);
        if (m.find()) {
            explicitOutput = number(m.group(1)) * (m.group(2).startsWith("paragraph") ? 120 : 30);
            return;
        }
        if (SHORT_OUTPUT.matcher(lower).find()) {
            explicitOutput = lower.contains("word") ? 5 : 60;
        }
    }

    /**
     * Output tokens to expect: the requested size when the task states one, else a per-type base scaled by
     * complexity (a translation follows its input).
     */
    long outputTokensFor(TaskType taskType, Complexity complexity) {
        if (explicitOutput > 0) {
            return explicitOutput;
        }
        if (taskType == TaskType.TRANSLATION) {
            return Math.max(20, Math.round(tokens * 1.1));
        }
        long base = switch (taskType) {
            case CLASSIFICATION -> 20;
            case CHAT -> 60;
            case EXTRACTION -> 150;
            case SUMMARIZATION -> 200;
            case TRANSLATION -> tokens;
            case QUESTION_ANSWERING -> 250;
            case CREATIVE_WRITING -> 450;
            case MATH -> 400;
            case CODE -> 600;
            case REASONING -> 700;
        };
        double factor = switch (complexity) {
            case SIMPLE -> 0.5;
            case MODERATE -> 1;
            case COMPLEX -> 2;
            case EXPERT -> 3;
        };
        return Math.max(1, Math.round(base * factor));
    }

    private double sum(List<Cue> cues, String lower, double cap, String what) {
        double total = 0;
        List<String> hits = new ArrayList<>();
        for (Cue c : cues) {
            if (c.pattern().matcher(lower).find()) {
                total += c.weight();
                hits.add("'" + c.label() + "'");
            }
        }
        total = Math.min(cap, total);
        if (total > 0) {
            complexitySignals.add(what + " " + String.join(", ", hits) + " (+" + round(total) + ")");
        }
        return total;
    }

    private static int count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static long largest(Pattern p, String text) {
        Matcher m = p.matcher(text);
        long max = 0;
        while (m.find()) {
            max = Math.max(max, number(m.group(1)));
        }
        return max;
    }

    private static long number(String word) {
        return switch (word) {
            case "one" -> 1;
            case "two" -> 2;
            case "three" -> 3;
            case "four" -> 4;
            case "five" -> 5;
            case "six" -> 6;
            case "seven" -> 7;
            case "eight" -> 8;
            case "nine" -> 9;
            case "ten" -> 10;
            case "twelve" -> 12;
            case "twenty" -> 20;
            case "fifty" -> 50;
            case "hundred" -> 100;
            default -> Long.parseLong(word.replace(",", ""));
        };
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
