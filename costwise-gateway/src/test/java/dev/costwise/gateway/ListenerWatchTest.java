package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.ListenerWatch.Probe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The web server's listener, when it stops, is noticed by a probe, and the gateway told once. */
class ListenerWatchTest {
    @Test
    void givenAListeningSocket_whenProbedThenClosed_thenListeningThenNotListening() throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = server.getLocalPort();
        ListenerWatch.Prober wildcard = ListenerWatch.connectingTo("0.0.0.0", port, Duration.ofSeconds(5));
        ListenerWatch.Prober loopback = ListenerWatch.connectingTo("127.0.0.1", port, Duration.ofSeconds(5));

        assertThat(wildcard.probe()).as("a wildcard address is probed on loopback").isEqualTo(Probe.LISTENING);
        assertThat(loopback.probe()).isEqualTo(Probe.LISTENING);
        server.close();

        assertThat(loopback.probe()).isEqualTo(Probe.NOT_LISTENING);
    }

    @Test
    void givenProbes_whenNothingListensTwice_thenTheGatewayIsToldOnceAndNeverForAnUnknownProbe() {
        ArrayDeque<Probe> probes = new ArrayDeque<>(List.of(Probe.LISTENING, Probe.UNKNOWN, Probe.NOT_LISTENING,
                Probe.NOT_LISTENING));
        AtomicInteger told = new AtomicInteger();
        ListenerWatch watch = new ListenerWatch(probes::removeFirst, told::incrementAndGet);

        watch.check();
        watch.check();
        assertThat(told).as("listening, then a probe that could not tell").hasValue(0);
        watch.check();
        watch.check();

        assertThat(told).hasValue(1);
    }
}
