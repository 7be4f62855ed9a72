package dev.costwise.gateway.http;

import dev.costwise.gateway.config.PrintableText;
import dev.costwise.gateway.keys.VirtualKey;
import io.helidon.webserver.http.ServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every change to virtual keys (created, changed, rotated, revoked) on the logger {@code costwise.audit}, with
 * the client's address and the request id, so an operator can answer "who revoked this key, and when" from the logs.
 * Never a secret: a key is named by its id and name. Names are refused with control characters, and what the caller
 * chose (a name kept from before that rule, the request id) is escaped, so no line can be forged.
 */
final class KeyAudit {
    private static final Logger LOG = LoggerFactory.getLogger("costwise.audit");

    private KeyAudit() {}

    static void created(VirtualKey k, ServerRequest req, String requestId) {
        List<String> settings = new ArrayList<>();
        if (!k.models().isEmpty()) {
            settings.add("models " + k.models());
        }
        k.budgetLimit().ifPresent(b -> settings.add("budget $" + b + " per " + KeyViews.lower(k.budgetWindow())));
        k.rpm().ifPresent(v -> settings.add("rpm " + v));
        k.tpm().ifPresent(v -> settings.add("tpm " + v));
        if (!k.tags().isEmpty()) {
            settings.add("tags " + k.tags());
        }
        k.expiresAt().ifPresent(at -> settings.add("expires " + at));
        log("created" + (settings.isEmpty() ? "" : " (" + String.join(", ", settings) + ")"), k.id(), k.name(), req,
                requestId);
    }

    static void changed(VirtualKey k, Iterable<String> fields, ServerRequest req, String requestId) {
        log("changed (" + String.join(", ", fields) + ")", k.id(), k.name(), req, requestId);
    }

    static void rotated(VirtualKey k, ServerRequest req, String requestId) {
        log("rotated", k.id(), k.name(), req, requestId);
    }

    static void revoked(String id, Optional<String> name, ServerRequest req, String requestId) {
        log("revoked", id, name.orElse(null), req, requestId);
    }

    private static void log(String what, String id, String name, ServerRequest req, String requestId) {
        LOG.info("virtual key {}{} {} with the master key from {} (request {})", PrintableText.escaped(id),
                name == null ? "" : " '" + PrintableText.escaped(name) + "'", what, req.remotePeer().host(),
                PrintableText.escaped(requestId));
    }
}
