package dev.costwise.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a UTF-8 text file whole, and says where it is not UTF-8: the JDK's own error ({@code Input length = 1})
 * names neither the line nor the byte.
 */
public final class Utf8Files {
    private Utf8Files() {}

    /** A file that is not UTF-8 text; its message says where the first bad byte is. */
    public static final class NotUtf8Exception extends IOException {
        private static final long serialVersionUID = 1L;

        NotUtf8Exception(String message) {
            super(message);
        }
    }

    /**
     * @param file the file
     * @return its text
     * @throws NotUtf8Exception if a byte is not UTF-8, naming its line and byte offset ({@code not valid UTF-8 at
     *     line 3, byte offset 57 (0xe9): save the file as UTF-8})
     * @throws IOException if it cannot be read
     */
    public static String read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = utf8.decode(in, out, true);
        if (!result.isError()) {
            result = utf8.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new NotUtf8Exception("not valid UTF-8 at line " + line + ", byte offset " + at + " (0x"
                    + Integer.toHexString(bytes[at] & 0xff) + "): save the file as UTF-8");
        }
        return out.flip().toString();
    }
}
