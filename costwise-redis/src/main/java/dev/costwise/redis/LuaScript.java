package dev.costwise.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Lua script run with {@code EVALSHA}; its SHA-1 is computed here, so the first call needs no {@code SCRIPT LOAD}
 * round trip, and a {@code NOSCRIPT} reply (Redis restarted or flushed its script cache) is answered by one
 * {@code EVAL}, which loads it again.
 *
 * @param name names the script in errors
 * @param source the Lua source
 * @param sha1 the hex SHA-1 of the source, as Redis computes it
 */
record LuaScript(String name, String source, String sha1) {

    LuaScript {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sha1, "sha1");
    }

    static LuaScript of(String name, String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, source, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }

    byte[] sha1Bytes() {
        return sha1.getBytes(StandardCharsets.UTF_8);
    }

    byte[] sourceBytes() {
        return source.getBytes(StandardCharsets.UTF_8);
    }
}
