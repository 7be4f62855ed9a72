package dev.costwise.llm.provider.http;

import io.helidon.webclient.api.DnsAddressLookup;
import io.helidon.webclient.spi.DnsResolver;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Resolves a provider's host name as Helidon's default resolver does (every address of the name, filtered by the
 * client's {@link DnsAddressLookup}, the first one kept), but reports a name that does not resolve as the connection
 * failure it is: an {@link UncheckedIOException} around an {@link UnknownHostException}, which callers handle as
 * they handle a refused connection (the call fails over to its fallbacks and is billed nothing). Helidon's default
 * throws an {@link IllegalArgumentException} without a cause instead, which reads as a bug.
 *
 * <p>The exception's message does not name the host: it reaches callers (a gateway's clients among them), and a host
 * name may be internal. Stateless and thread-safe.
 */
public final class UpstreamDnsResolver implements DnsResolver {

    /** The message of the {@link UnknownHostException} thrown for a name that does not resolve. */
    public static final String UNRESOLVED = "the host name does not resolve (DNS lookup failed)";

    @Override
    public InetAddress resolveAddress(String hostname, DnsAddressLookup lookup) {
        try {
            InetAddress[] addresses = lookup.filter(InetAddress.getAllByName(hostname));
            if (addresses.length > 0) {
                return addresses[0];
            }
        } catch (UnknownHostException e) {
            throw unresolved(e);
        }
        throw unresolved(null); // it resolves, but to no address of the family the client asks for
    }

    private static UncheckedIOException unresolved(UnknownHostException cause) {
        UnknownHostException e = new UnknownHostException(UNRESOLVED);
        if (cause != null) {
            e.initCause(cause); // names the host, for the logs
        }
        return new UncheckedIOException(e.getMessage(), e);
    }
}
