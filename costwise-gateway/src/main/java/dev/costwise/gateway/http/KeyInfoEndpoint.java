package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig.BudgetScope;
import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.gateway.pipeline.BudgetBook;
import dev.costwise.gateway.pipeline.Caller;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/key}: what the calling key may do and how much of its budgets is left, so an application can see
 * its own limits without the master key. Only the budgets of the key and of its team are shown: global and per-model
 * ones hold everyone's spend.
 */
public final class KeyInfoEndpoint {
    private final HttpExchange http;
    private final Authenticator auth;
    private final BudgetBook budgets;
    private final ObjectMapper json;

    /** The endpoint's collaborators. */
    public KeyInfoEndpoint(HttpExchange http, Authenticator auth, BudgetBook budgets, ObjectMapper json) {
        this.http = http;
        this.auth = auth;
        this.budgets = budgets;
        this.json = json;
    }

    /** Answers with the caller's key and the state of each budget that applies to it alone. */
    public void handle(ServerRequest req, ServerResponse res) {
        http.requestId(req, res);
        Optional<Caller> authenticated = auth.authenticateOrAnswer(req, res, http);
        if (authenticated.isEmpty()) {
            return;
        }
        Caller caller = authenticated.get();
        ObjectNode root = json.createObjectNode().put("object", "key");
        if (caller.key().isEmpty()) {
            // The master key, or anyone on a gateway without keys: no limits of a key apply.
            root.put("id", caller.keyId()).put("admin", caller.admin());
            root.putArray("budgets");
            http.sendJson(res, 200, root);
            return;
        }
        VirtualKey key = caller.key().get();
        KeyViews.key(root, key).put("admin", false);
        ArrayNode out = root.putArray("budgets");
        BudgetBook.BudgetedKey scope = BudgetBook.BudgetedKey.of(key);
        for (BudgetBook.Status s : budgets.statuses(List.of(), List.of(scope))) {
            boolean mine = s.scope() == BudgetScope.KEY && s.scopeValue().equals(Optional.of(key.id()))
                    || s.scope() == BudgetScope.TEAM && s.scopeValue().equals(scope.team());
            if (mine) {
                KeyViews.budget(out.addObject(), s).put("remaining",
                        s.limit().minus(s.spent()).minus(s.reserved()).max(Money.ZERO).toString());
            }
        }
        http.sendJson(res, 200, root);
    }
}
