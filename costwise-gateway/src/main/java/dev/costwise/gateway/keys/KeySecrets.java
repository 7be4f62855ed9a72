package dev.costwise.gateway.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/** Generates virtual keys and their salted hashes, and splits a presented key into id and secret. */
final class KeySecrets {
    static final String PREFIX = "sk-cw-";
    private static final HexFormat HEX = HexFormat.of();

    private final SecureRandom random = new SecureRandom();

    String newId() {
        return hex(6);
    }

    String newSecret() {
        return hex(24);
    }

    String newSalt() {
        return hex(16);
    }

    static String whole(String id, String secret) {
        return PREFIX + id + "-" + secret;
    }

    /** @return id and secret of a key in our format, or empty */
    static Optional<String[]> split(String presented) {
        if (!presented.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int dash = presented.indexOf('-', PREFIX.length());
        if (dash < 0 || dash == presented.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new String[] {presented.substring(PREFIX.length(), dash), presented.substring(dash + 1)});
    }

    static String hash(String salt, String secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt.getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(md.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    static boolean matches(String salt, String expectedHash, String secret) {
        return MessageDigest.isEqual(hash(salt, secret).getBytes(StandardCharsets.US_ASCII),
                expectedHash.getBytes(StandardCharsets.US_ASCII));
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HEX.formatHex(b);
    }
}
