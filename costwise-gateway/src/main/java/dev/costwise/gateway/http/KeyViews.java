package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.gateway.pipeline.BudgetBook;
import java.util.Locale;

/** How a virtual key and a budget's state read in JSON, the same for the admin API and a key's own view. */
final class KeyViews {
    private KeyViews() {}

    /** Writes a key's settings into {@code o}, never its secret. */
    static ObjectNode key(ObjectNode o, VirtualKey k) {
        o.put("id", k.id()).put("name", k.name());
        ArrayNode models = o.putArray("models");
        k.models().forEach(models::add);
        k.budgetLimit().ifPresent(b -> o.put("budget", b.toString()).put("budget_window", lower(k.budgetWindow())));
        k.rpm().ifPresent(v -> o.put("rpm", v));
        k.tpm().ifPresent(v -> o.put("tpm", v));
        ObjectNode tags = o.putObject("tags");
        k.tags().forEach(tags::put);
        o.put("created_at", k.createdAt().toString());
        k.rotatedAt().ifPresent(at -> o.put("rotated_at", at.toString()));
        k.expiresAt().ifPresent(at -> o.put("expires_at", at.toString()));
        o.put("revoked", k.revoked());
        return o;
    }

    /** Writes a budget's state into {@code b}. */
    static ObjectNode budget(ObjectNode b, BudgetBook.Status s) {
        b.put("name", s.name()).put("scope", lower(s.scope()));
        s.scopeValue().ifPresent(v -> b.put("scope_value", v));
        b.put("window", lower(s.window())).put("limit", s.limit().toString())
                .put("spent", s.spent().toString()).put("reserved", s.reserved().toString())
                .put("utilization", Math.round(s.utilization() * 10_000) / 10_000.0)
                .put("resets_at", s.resetsAt().toString()).put("on_exhausted", lower(s.onExhausted()));
        return b;
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
