package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.GatewayConfig.BudgetScope;
import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.gateway.keys.VirtualKeyStore;
import dev.costwise.gateway.pipeline.BudgetBook;
import dev.costwise.gateway.pipeline.ModelDirectory;
import dev.costwise.gateway.pipeline.SpendBreakdown;
import dev.costwise.llm.spi.SpendLedger;
import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Master-key endpoints: {@code GET /v1/spend}, {@code GET /v1/budgets} and virtual key management
 * ({@code POST /v1/keys}, {@code GET /v1/keys}, {@code PATCH /v1/keys/{id}}, {@code POST /v1/keys/{id}/rotate},
 * {@code DELETE /v1/keys/{id}}).
 */
public final class AdminEndpoints {
    private final HttpExchange http;
    private final Authenticator auth;
    private final VirtualKeyStore keys;
    private final BudgetBook budgets;
    private final SpendLedger ledger;
    private final Optional<SpendReport> spendReport;
    private final ModelDirectory directory;
    private final ObjectMapper json;
    private final Clock clock;

    /** The endpoints' collaborators. */
    public AdminEndpoints(HttpExchange http, Authenticator auth, VirtualKeyStore keys, BudgetBook budgets,
            SpendLedger ledger, ModelDirectory directory, ObjectMapper json, Clock clock) {
        this.http = http;
        this.auth = auth;
        this.keys = keys;
        this.budgets = budgets;
        this.ledger = ledger;
        this.spendReport = SpendBreakdown.of(ledger).map(b -> new SpendReport(b, json, clock));
        this.directory = directory;
        this.json = json;
        this.clock = clock;
    }

    private interface Action {
        void run(String requestId);
    }

    private void guarded(ServerRequest req, ServerResponse res, Action action) {
        guarded(req, res, false, action);
    }

    /** Runs {@code action} for an admin; {@code keys}: one managing virtual keys, who needs the master key. */
    private void guarded(ServerRequest req, ServerResponse res, boolean keys, Action action) {
        String requestId = http.requestId(req, res);
        try {
            if (keys) {
                auth.keyAdmin(Authenticator.credential(req));
            } else {
                auth.admin(Authenticator.credential(req));
            }
            action.run(requestId);
        } catch (GatewayException e) {
            http.sendError(res, ErrorResponses.of(e));
        }
    }

    /**
     * {@code GET /v1/spend}: spend and savings of a period of UTC days ({@code from}, {@code to}; the month so far by
     * default), in total and by day, model and key, and by provider, team, user or feature on {@code group_by}.
     */
    public void spend(ServerRequest req, ServerResponse res) {
        guarded(req, res, requestId -> {
            if (spendReport.isEmpty()) {
                http.sendError(res, ApiError.of(501, "invalid_request_error", "not_supported",
                        "this gateway's ledger cannot group spend (a SQLite or PostgreSQL ledger can)"));
                return;
            }
            ledger.flush();
            http.sendJson(res, 200, spendReport.get().build(req.query()));
        });
    }

    /**
     * {@code GET /v1/budgets}: every budget window's limit, spend, reservations and reset time; {@code scope} and
     * {@code scope_value} keep only those of one scope, or of one key, model, team or user.
     */
    public void budgets(ServerRequest req, ServerResponse res) {
        guarded(req, res, requestId -> {
            Predicate<BudgetBook.Status> wanted = budgetFilter(req.query());
            ObjectNode root = json.createObjectNode();
            root.put("object", "list");
            ArrayNode data = root.putArray("data");
            List<BudgetBook.BudgetedKey> keyScopes = Stream.concat(auth.configuredKeys().stream(),
                    keys.list().stream().filter(k -> !k.revoked() && !k.expiredAt(clock.instant())))
                    .map(BudgetBook.BudgetedKey::of).toList();
            List<String> models = directory.models().stream().map(GatewayConfig.Model::name).toList();
            for (BudgetBook.Status s : budgets.statuses(models, keyScopes)) {
                if (wanted.test(s)) {
                    KeyViews.budget(data.addObject(), s);
                }
            }
            http.sendJson(res, 200, root);
        });
    }

    private static Predicate<BudgetBook.Status> budgetFilter(UriQuery query) {
        Predicate<BudgetBook.Status> wanted = s -> true;
        for (String name : query.names()) {
            int given = query.all(name).size();
            if (given > 1) { // as /v1/spend refuses it: which one was meant is not this endpoint's guess
                throw new GatewayException.InvalidField(name, "given " + given + " times; give it once");
            }
            switch (name) {
                case "scope" -> {
                    String v = query.get(name);
                    BudgetScope scope = Arrays.stream(BudgetScope.values())
                            .filter(x -> x.name().equalsIgnoreCase(v)).findFirst()
                            .orElseThrow(() -> new GatewayException.InvalidField("scope", "expected one of "
                                    + Arrays.stream(BudgetScope.values()).map(KeyViews::lower).toList()
                                    + ", was '" + v + "'"));
                    wanted = wanted.and(s -> s.scope() == scope);
                }
                case "scope_value" -> {
                    String v = query.get(name);
                    wanted = wanted.and(s -> s.scopeValue().equals(Optional.of(v)));
                }
                default -> throw new GatewayException.InvalidField(name, "unknown query parameter (known: scope, "
                        + "scope_value)");
            }
        }
        return wanted;
    }

    /** {@code POST /v1/keys}: creates a key; the answer shows its secret once. */
    public void createKey(ServerRequest req, ServerResponse res) {
        guarded(req, res, true, requestId -> {
            VirtualKey spec = KeyRequest.create(http.readAdminJson(req), directory, clock.instant());
            VirtualKeyStore.Issued issued = keys.create(spec);
            KeyAudit.created(issued.key(), req, requestId);
            ObjectNode out = describe(issued.key());
            out.put("key", issued.secret());
            out.put("note", "store this key now: it is shown only once");
            http.sendJson(res, 201, out);
        });
    }

    /** {@code GET /v1/keys}: every key, without secrets. */
    public void listKeys(ServerRequest req, ServerResponse res) {
        guarded(req, res, true, requestId -> {
            ObjectNode root = json.createObjectNode();
            root.put("object", "list");
            ArrayNode data = root.putArray("data");
            keys.list().forEach(k -> data.add(describe(k)));
            http.sendJson(res, 200, root);
        });
    }

    /**
     * {@code POST /v1/keys/{id}/rotate}: a new secret, shown once; the old one stops working. It takes no body (an
     * empty object at most): a field sent with it, such as an expiry, is refused rather than dropped.
     */
    public void rotateKey(ServerRequest req, ServerResponse res) {
        guarded(req, res, true, requestId -> {
            http.readOptionalAdminJson(req).ifPresent(AdminEndpoints::nothingToRotateWith);
            String id = KeyRequest.id(req.path().pathParameters().get("id"));
            VirtualKeyStore.Issued issued = keys.rotate(id).orElseThrow(() -> noLiveKey(id));
            KeyAudit.rotated(issued.key(), req, requestId);
            ObjectNode out = describe(issued.key());
            out.put("key", issued.secret());
            http.sendJson(res, 200, out);
        });
    }

    /**
     * {@code PATCH /v1/keys/{id}}: changes a key's name, models, budget, limits, tags or expiry; the fields sent
     * replace the key's, {@code null} clears one, the secret stays.
     */
    public void updateKey(ServerRequest req, ServerResponse res) {
        guarded(req, res, true, requestId -> {
            String id = KeyRequest.id(req.path().pathParameters().get("id"));
            JsonNode body = http.readAdminJson(req);
            VirtualKey updated = keys.update(id, k -> KeyRequest.update(body, directory, clock.instant(), k))
                    .orElseThrow(() -> noLiveKey(id));
            budgets.keyChanged(BudgetBook.BudgetedKey.of(updated)); // its calls in flight count in a new budget count
            KeyAudit.changed(updated, body::fieldNames, req, requestId);
            http.sendJson(res, 200, describe(updated));
        });
    }

    /** {@code DELETE /v1/keys/{id}}: revokes a key. */
    public void revokeKey(ServerRequest req, ServerResponse res) {
        guarded(req, res, true, requestId -> {
            String id = KeyRequest.id(req.path().pathParameters().get("id"));
            // The store answers only whether it revoked: the name, which the audit line gives, is read before.
            Optional<String> name = keys.list().stream().filter(k -> k.id().equals(id)).map(VirtualKey::name)
                    .findFirst();
            if (!keys.revoke(id)) {
                throw noLiveKey(id);
            }
            KeyAudit.revoked(id, name, req, requestId);
            ObjectNode out = json.createObjectNode();
            out.put("id", id).put("revoked", true);
            http.sendJson(res, 200, out);
        });
    }

    /** Refuses a rotation's body unless it is an empty object: rotating only replaces the secret. */
    private static void nothingToRotateWith(JsonNode body) {
        if (!body.isObject()) {
            throw new GatewayException.InvalidField("(body)", "expected no body, or an empty JSON object");
        }
        if (!body.isEmpty()) {
            throw new GatewayException.InvalidField(body.fieldNames().next(), "rotate takes no fields: it only "
                    + "replaces the key's secret; change its expiry and other settings with PATCH /v1/keys/{id}");
        }
    }

    /** Why no key with this id could be changed: it is in the config file, or there is no live one. */
    private GatewayException noLiveKey(String id) {
        if (auth.configuredKeys().stream().anyMatch(k -> k.id().equals(id))) {
            return new GatewayException.Forbidden("key_in_config", "key '" + id + "' is defined in the gateway's "
                    + "config file: change, rotate or remove it there and restart the gateway");
        }
        return new GatewayException.NotFound("key_not_found", "no live key with id '" + id + "'");
    }

    private ObjectNode describe(VirtualKey k) {
        return KeyViews.key(json.createObjectNode(), k);
    }
}
