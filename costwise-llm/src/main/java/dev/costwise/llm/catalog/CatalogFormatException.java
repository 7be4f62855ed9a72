package dev.costwise.llm.catalog;

/**
 * A model catalog file that cannot be read: malformed JSON, a missing or mistyped field, an unknown capability, a
 * negative price. The message names the file, the entry and the field, and shows the offending value.
 */
public final class CatalogFormatException extends IllegalArgumentException {

    /**
     * @param message what is wrong, naming the file, entry and field
     */
    public CatalogFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file, entry and field
     * @param cause the parser's failure
     */
    public CatalogFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
