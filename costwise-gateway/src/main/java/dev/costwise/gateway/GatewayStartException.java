package dev.costwise.gateway;

/** The gateway could not start serving, for a reason its message names in a line fit for a terminal. */
public final class GatewayStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the address or setting involved */
    public GatewayStartException(String message) {
        super(message);
    }
}
