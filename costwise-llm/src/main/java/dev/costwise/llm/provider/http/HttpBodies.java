package dev.costwise.llm.provider.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads whole HTTP bodies into one array of the right size.
 *
 * <p>{@link InputStream#readAllBytes()} reads in 16 KB chunks, and Helidon's entity streams allocate a buffer of the
 * requested size per read, so a 1 KB body through {@code readAllBytes} costs about 50 KB of garbage (two 16 KB entity
 * buffers, a 16 KB chunk, a copy). When the length is declared, reading exactly that many bytes allocates the body
 * once; the gateway's allocation rate, and with it its GC pauses, fell by more than half with this alone.
 */
public final class HttpBodies {
    /**
     * The default limit on a provider's answer read whole, and on one event of a stream: 16 MB, far above any chat
     * answer, and low enough that one runaway answer cannot exhaust a small heap shared by every call in flight.
     */
    public static final int DEFAULT_MAX_SIZE = 16 * 1024 * 1024;

    /** Declared lengths above this are read in chunks rather than trusted for one allocation. */
    private static final long MAX_EXACT = 64L * 1024 * 1024;

    /** How much of a body of undeclared length is reserved, and read, at a time. */
    private static final int PIECE = 256 * 1024;

    /**
     * A body up to this size is not counted in an {@link AnswerMemory}: a common chat answer is a few KB, and must not
     * be refused (nor its fallback) while a few large answers hold the budget; what such answers hold is bounded by
     * the calls in flight.
     */
    public static final int UNCOUNTED = 64 * 1024;

    private HttpBodies() {
    }

    /**
     * Reads a body whose length may be declared.
     *
     * @param in the body (closed by the caller)
     * @param declaredLength the {@code Content-Length}, if any
     * @param limit the most bytes to read; a body longer than this returns {@code limit + 1} bytes at most, so the
     *        caller can tell it was too long
     * @return the bytes read
     * @throws IOException from the stream
     */
    public static byte[] read(InputStream in, OptionalLong declaredLength, long limit) throws IOException {
        long cap = Math.min(limit + 1, Integer.MAX_VALUE - 8);
        if (declaredLength.isPresent() && declaredLength.getAsLong() <= MAX_EXACT) {
            // readNBytes(n) sizes its one buffer to n and returns it without a copy when the body is complete.
            return in.readNBytes((int) Math.min(declaredLength.getAsLong(), cap));
        }
        return in.readNBytes((int) cap);
    }

    /**
     * Says that an answer is not JSON, in plain words for a caller, with its content type when that is not JSON either
     * (an HTML error page from a proxy): {@code answer is not JSON (text/html)}. The parser's message, which names its
     * own internals, belongs in the failure's cause.
     *
     * @param contentType the answer's {@code Content-Type}, if it had one
     * @return the problem
     */
    public static String notJson(Optional<String> contentType) {
        return "answer is not JSON" + contentType.map(t -> t.split(";", 2)[0].strip())
                .filter(t -> !t.isEmpty() && !t.toLowerCase(Locale.ROOT).contains("json"))
                .map(t -> " (" + (t.length() > 60 ? t.substring(0, 60) + "..." : t) + ")").orElse("");
    }

    /**
     * Reads a body of at most {@code limit} bytes. A body declared longer is refused before any byte is read; one
     * longer than it says (or that says nothing) is read up to one byte past the limit, never further. The caller
     * then closes the response without reading the rest, which closes the connection.
     *
     * @param in the body (closed by the caller)
     * @param declaredLength the {@code Content-Length}, if any
     * @param limit the most bytes accepted
     * @param what what the body is, for the error, such as {@code the answer}
     * @return the bytes
     * @throws ResponseTooLargeException if the body is longer than {@code limit}
     * @throws IOException from the stream
     */
    public static byte[] readAtMost(InputStream in, OptionalLong declaredLength, long limit, String what)
            throws IOException {
        if (declaredLength.isPresent() && declaredLength.getAsLong() > limit) {
            throw new ResponseTooLargeException(what, limit);
        }
        byte[] body = read(in, declaredLength, limit);
        if (body.length > limit) {
            throw new ResponseTooLargeException(what, limit);
        }
        return body;
    }

    /**
     * As {@link #readAtMost(InputStream, OptionalLong, long, String)}, counting the bytes held in {@code held}: a
     * declared length is reserved before any byte is read; a body that declares none is reserved piece by piece as it
     * arrives. A body of at most {@link #UNCOUNTED} bytes is not counted. The caller closes {@code held} when the body
     * is handed over, and on every failure.
     *
     * @param in the body (closed by the caller)
     * @param declaredLength the {@code Content-Length}, if any
     * @param limit the most bytes accepted
     * @param what what the body is, for the error, such as {@code the answer}
     * @param held the reservation the body's bytes are counted in
     * @return the bytes
     * @throws AnswerMemoryExhaustedException if the budget cannot hold the body (reading stops there)
     * @throws ResponseTooLargeException if the body is longer than {@code limit}
     * @throws IOException from the stream
     */
    public static byte[] readAtMost(InputStream in, OptionalLong declaredLength, long limit, String what,
            AnswerMemory.Reservation held) throws IOException {
        if (declaredLength.isPresent() && declaredLength.getAsLong() > limit) {
            throw new ResponseTooLargeException(what, limit);
        }
        if (declaredLength.isPresent()) {
            if (declaredLength.getAsLong() > UNCOUNTED) {
                held.grow(declaredLength.getAsLong());
            }
            // straight into one array of the declared size: readNBytes(n) gathers a long body in 16 KB buffers and
            // then copies them, holding it twice at its peak, which the budget would not count
            byte[] body = new byte[(int) declaredLength.getAsLong()];
            int n = 0;
            while (n < body.length) {
                int r = in.read(body, n, Math.min(PIECE, body.length - n));
                if (r < 0) {
                    return java.util.Arrays.copyOf(body, n); // shorter than declared: the caller's reader decides
                }
                n += r;
            }
            return body;
        }
        // Undeclared: read in pieces, each reserved before it is read; the pieces are joined at the end.
        java.util.List<byte[]> pieces = new java.util.ArrayList<>();
        long total = 0;
        while (true) {
            int want = (int) Math.min(pieces.isEmpty() ? UNCOUNTED + 1 : PIECE, limit + 1 - total);
            if (!pieces.isEmpty()) {
                held.grow(want + (pieces.size() == 1 ? total : 0)); // past the uncounted start, all is counted
            }
            byte[] piece = in.readNBytes(want);
            total += piece.length;
            if (total > limit) {
                throw new ResponseTooLargeException(what, limit);
            }
            pieces.add(piece);
            if (piece.length < want) {
                break;
            }
        }
        if (pieces.size() == 1) {
            return pieces.getFirst();
        }
        byte[] body = new byte[(int) total];
        int at = 0;
        for (byte[] piece : pieces) {
            System.arraycopy(piece, 0, body, at, piece.length);
            at += piece.length;
        }
        return body;
    }
}
