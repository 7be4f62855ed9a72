package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HttpBodiesTest {
    private static final byte[] BODY = "{\"usage\":{\"prompt_tokens\":12}}".getBytes();

    /** Counts the reads asked of it, the way Helidon's entity streams are asked for buffers. */
    private static final class CountingStream extends ByteArrayInputStream {
        int largestRead;

        CountingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            largestRead = Math.max(largestRead, len);
            return super.read(b, off, len);
        }
    }

    @Test
    void givenDeclaredLength_whenRead_thenTheWholeBodyComesBackFromReadsNoLargerThanIt() throws IOException {
        CountingStream in = new CountingStream(BODY);

        assertThat(HttpBodies.read(in, OptionalLong.of(BODY.length), Integer.MAX_VALUE)).isEqualTo(BODY);
        assertThat(in.largestRead).isEqualTo(BODY.length); // not the 16 KB chunks of readAllBytes
    }

    @Test
    void givenNoDeclaredLength_whenRead_thenTheBodyIsReadToItsEnd() throws IOException {
        assertThat(HttpBodies.read(new ByteArrayInputStream(BODY), OptionalLong.empty(), Integer.MAX_VALUE))
                .isEqualTo(BODY);
    }

    @Test
    void givenBodyLongerThanTheLimit_whenRead_thenOneByteMoreThanTheLimitTellsTheCallerItWasTooLong()
            throws IOException {
        InputStream undeclared = new ByteArrayInputStream(BODY);
        InputStream underDeclared = new ByteArrayInputStream(BODY);

        assertThat(HttpBodies.read(undeclared, OptionalLong.empty(), 10)).hasSize(11);
        assertThat(HttpBodies.read(underDeclared, OptionalLong.of(BODY.length), 10)).hasSize(11);
    }

    @Test
    void givenDeclaredLengthLongerThanTheBody_whenRead_thenWhatArrivedIsReturned() throws IOException {
        assertThat(HttpBodies.read(new ByteArrayInputStream(BODY), OptionalLong.of(BODY.length + 100L),
                Integer.MAX_VALUE)).isEqualTo(BODY);
    }
}
