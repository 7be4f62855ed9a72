package dev.costwise.llm.provider.gemini;

/**
 * A {@code data:<media type>;base64,<data>} URI split into its parts.
 *
 * @param mediaType such as {@code image/png}
 * @param base64 the encoded bytes
 */
record DataUri(String mediaType, String base64) {

    /**
     * @param uri the URI
     * @return its parts
     * @throws IllegalArgumentException if it is not a base64 data URI with a media type
     */
    static DataUri parse(String uri) {
        int comma = uri.indexOf(',');
        String header = comma < 0 ? "" : uri.substring("data:".length(), comma);
        if (!uri.startsWith("data:") || comma < 0 || !header.endsWith(";base64") || header.length() == 7) {
            throw new IllegalArgumentException("image data URI must look like data:<media type>;base64,<data>, was '"
                    + abbreviate(uri) + "'");
        }
        return new DataUri(header.substring(0, header.length() - ";base64".length()), uri.substring(comma + 1));
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
