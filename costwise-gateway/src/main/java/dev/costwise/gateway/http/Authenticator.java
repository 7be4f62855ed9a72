package dev.costwise.gateway.http;

import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.GatewayConfig.KeyDef;
import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.gateway.keys.VirtualKeyStore;
import dev.costwise.gateway.pipeline.Caller;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an {@code Authorization: Bearer …} header into a {@link Caller}: the master key, a key from the config file
 * (matched by its SHA-256), or a key from the {@link VirtualKeyStore}. While the gateway has no master key, no key in
 * its config file and no live virtual key, it is open: a caller without a key, or with a key the gateway does not
 * honour (the placeholder an OpenAI or Anthropic SDK insists on sending), is anonymous and allowed. Once it is
 * closed, such a key is refused. Virtual keys are managed with the master key only ({@link #keyAdmin}). Thread-safe.
 */
public final class Authenticator {
    private static final HeaderName API_KEY = HeaderNames.create("x-api-key");
    private static final String SET_MASTER_KEY = "set COSTWISE_MASTER_KEY (or master_key in the config file) and "
            + "restart it";
    private final Optional<byte[]> master;
    private final GatewayConfig.MetricsAccess metrics;
    private final Optional<byte[]> metricsKey;
    private final Map<String, VirtualKey> fileKeys = new HashMap<>();
    private final VirtualKeyStore store;
    private final Clock clock;

    /**
     * @param config the configuration (master key and file keys)
     * @param store keys created through the admin API
     * @param clock tells which keys have expired
     */
    public Authenticator(GatewayConfig config, VirtualKeyStore store, Clock clock) {
        this.master = config.masterKey().map(k -> k.getBytes(StandardCharsets.UTF_8));
        this.metrics = config.server().metrics();
        this.metricsKey = metrics.metricsKey().map(k -> k.getBytes(StandardCharsets.UTF_8));
        this.store = store;
        this.clock = clock;
        // A key of the config file was not created at any time we know: it is in force since this gateway started.
        Instant loaded = clock.instant();
        for (KeyDef k : config.keys()) {
            fileKeys.put(k.sha256(), new VirtualKey(k.id(), k.id(), k.models(), k.budgetLimit(), k.budgetWindow(),
                    k.rpm(), k.tpm(), k.tags(), loaded, Optional.empty(), false, Optional.empty()));
        }
    }

    /** @return the keys of the config file, as virtual keys */
    public List<VirtualKey> configuredKeys() {
        return List.copyOf(fileKeys.values());
    }

    /**
     * @return {@code true} while there is no master key, no key in the config file and no live virtual key: a caller
     *     without a key is let in (a key another replica creates closes it once this replica has read it)
     */
    public boolean open() {
        return master.isEmpty() && fileKeys.isEmpty() && !store.anyLive(clock.instant());
    }

    /** @return {@code true} when a master key is configured */
    public boolean hasMasterKey() {
        return master.isPresent();
    }

    /**
     * @param authorization the header, if sent
     * @return the caller
     * @throws GatewayException.Unauthorized if a key is needed and missing, or one is presented and is not valid
     */
    public Caller authenticate(Optional<String> authorization) {
        if (authorization.isEmpty()) {
            if (open()) {
                return Caller.ANONYMOUS;
            }
            throw new GatewayException.Unauthorized("missing API key: send 'Authorization: Bearer <key>' (or "
                    + "'x-api-key: <key>')");
        }
        String header = authorization.get();
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new GatewayException.Unauthorized("the Authorization header must read 'Bearer <key>'");
        }
        String token = header.substring(7).trim();
        if (master.isPresent() && MessageDigest.isEqual(master.get(), token.getBytes(StandardCharsets.UTF_8))) {
            return Caller.MASTER;
        }
        VirtualKey fromFile = fileKeys.get(ConfigLoader.sha256Hex(token));
        if (fromFile != null) {
            return Caller.of(fromFile);
        }
        Optional<VirtualKey> verified = store.verify(token);
        if ((verified.isEmpty() || verified.get().expiredAt(clock.instant())) && open()) {
            return Caller.ANONYMOUS; // refusing it would only make the caller drop it
        }
        VirtualKey key = verified.orElseThrow(() -> new GatewayException.Unauthorized("unknown or revoked API key"));
        if (key.expiredAt(clock.instant())) {
            throw new GatewayException.Unauthorized("this API key (id " + key.id() + ") expired at "
                    + key.expiresAt().orElseThrow() + "; ask the gateway's admin for a new one");
        }
        return Caller.of(key);
    }

    /**
     * The key a request carries, as an {@code Authorization} value: that header, or else {@code x-api-key} (where
     * Anthropic's SDKs send it) as a bearer token. Both may be sent (Anthropic's SDKs and some proxies do), with the
     * same key; different keys are refused rather than one taken: a proxy in front of the gateway may have checked
     * the other one, and the caller would get the privileges of a key nobody checked.
     *
     * @param req the request
     * @return the credential, if any
     * @throws GatewayException.InvalidField if a header is sent twice with different values, or the two headers
     *     carry different keys
     */
    public static Optional<String> credential(ServerRequest req) {
        Optional<String> authorization = only(req, HeaderNames.AUTHORIZATION);
        Optional<String> apiKey = only(req, API_KEY);
        if (authorization.isPresent() && apiKey.isPresent()
                && !bearerToken(authorization.get()).equals(apiKey.get().trim())) {
            throw new GatewayException.InvalidField("", "Authorization and x-api-key carry different keys: send "
                    + "one key, or the same key in both");
        }
        return authorization.isPresent() ? authorization : apiKey.map(k -> "Bearer " + k);
    }

    /** @return the token of a bearer {@code Authorization} value, or any other value whole */
    private static String bearerToken(String authorization) {
        return authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim()
                : authorization;
    }

    /**
     * The one value of a credential header. Sent twice with different values it is refused rather than its first
     * value taken: a proxy in front of the gateway may have checked, or logged, the other one.
     */
    private static Optional<String> only(ServerRequest req, HeaderName name) {
        if (!req.headers().contains(name)) {
            return Optional.empty();
        }
        List<String> values = req.headers().get(name).allValues();
        if (values.stream().distinct().count() > 1) {
            throw new GatewayException.InvalidField(name.defaultCase(), "sent " + values.size() + " times with "
                    + "different values: send one key");
        }
        return Optional.of(values.getFirst());
    }

    /**
     * Authenticates a request, or answers it.
     *
     * @param req the request
     * @param res its response, sent with the 401 when the key is missing or unknown
     * @param http what sends (and counts) the 401
     * @return the caller, or empty when the request has been answered
     */
    public Optional<Caller> authenticateOrAnswer(ServerRequest req, ServerResponse res, HttpExchange http) {
        try {
            return Optional.of(authenticate(credential(req)));
        } catch (GatewayException e) {
            http.sendError(res, ErrorResponses.of(e));
            return Optional.empty();
        }
    }

    /**
     * @param authorization the header, if sent
     * @return the caller, who holds the master key (or anyone, while the gateway is open)
     * @throws GatewayException.Unauthorized if the key is missing or unknown
     * @throws GatewayException.Forbidden if it is a virtual key
     */
    public Caller admin(Optional<String> authorization) {
        return admitted(authenticate(authorization));
    }

    private Caller admitted(Caller c) {
        if (!c.admin()) {
            throw new GatewayException.Forbidden("admin_only", "this endpoint needs the master key"
                    + (master.isEmpty() ? "; this gateway has none: " + SET_MASTER_KEY : ""));
        }
        return c;
    }

    /**
     * Admits a reader of {@code /metrics}: anyone, unless the config requires a key ({@code server.metrics_auth:
     * master_key}); then the master key or {@code server.metrics_key}, even while the gateway is otherwise open.
     *
     * @param authorization the header, if sent
     * @throws GatewayException.Unauthorized if a key is required and is missing or is neither of those
     */
    public void metricsReader(Optional<String> authorization) {
        if (!metrics.keyRequired()) {
            return;
        }
        String header = authorization.orElseThrow(() -> new GatewayException.Unauthorized("missing API key: "
                + "/metrics needs the master key or server.metrics_key, as 'Authorization: Bearer <key>'"));
        byte[] presented = header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        boolean admitted = master.filter(k -> MessageDigest.isEqual(k, presented)).isPresent()
                || metricsKey.filter(k -> MessageDigest.isEqual(k, presented)).isPresent();
        if (!admitted) {
            throw new GatewayException.Unauthorized("this key cannot read /metrics: it needs the master key or "
                    + "server.metrics_key");
        }
    }

    /**
     * Admits a caller to virtual key management, which needs the master key even while the gateway is open: a key
     * created anonymously would close the gateway to everyone, its creator included, with no way left to manage it.
     *
     * @param authorization the header, if sent
     * @return the caller, who holds the master key
     * @throws GatewayException.Unauthorized if the key is missing or unknown
     * @throws GatewayException.Forbidden if it is a virtual key, or the gateway has no master key
     */
    public Caller keyAdmin(Optional<String> authorization) {
        Caller c = authenticate(authorization);
        if (master.isEmpty()) {
            throw new GatewayException.Forbidden("master_key_required", "virtual keys are managed with the master "
                    + "key, and this gateway has none: " + SET_MASTER_KEY);
        }
        return admitted(c);
    }
}
