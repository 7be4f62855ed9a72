package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** What the gateway sent a faked provider. */
final class SentUpstream {
    private SentUpstream() {}

    /**
     * @param upstream the faked provider
     * @return the body of the next request it received, parsed; the test fails if none came within 5 seconds
     */
    static JsonNode next(MockWebServer upstream) throws InterruptedException {
        RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent).as("a request sent upstream").isNotNull();
        return TestGateway.json(sent.getBody().utf8());
    }
}
